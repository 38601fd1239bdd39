//! Connecting to a nedra Ballista cluster (`df://HOST:PORT`) with nedra's codecs.

use std::sync::Arc;

use anyhow::{Context, Result};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::codec::{NedraLogicalCodec, NedraPhysicalCodec};

/// A session on the nedra scheduler at `url` (`df://HOST:PORT`): plans are shipped with
/// nedra's codecs, so the scheduler and executors must be `nedra-scheduler` and
/// `nedra-executor`.
///
/// # Errors
/// When `url` is not a scheduler address.
pub async fn connect(url: &str) -> Result<SessionContext> {
    let config = SessionConfig::new_with_ballista()
        .with_ballista_logical_extension_codec(Arc::new(NedraLogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(NedraPhysicalCodec::default()));
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    SessionContext::remote_with_state(url, state)
        .await
        .with_context(|| format!("connecting to the nedra scheduler at {url}"))
}
