//! Codecs that let Ballista ship nedra's plans: the grid table (logical plan), its scan
//! (physical plan), the response UDFs and the model-scoring UDF (with its model), each
//! serialised as a tagged JSON document; a UDF is decoded by its name. Every other node goes
//! to Ballista's own codecs. The client, the scheduler and every executor
//! must use these (a stock Ballista executor cannot decode a grid scan).

use std::any::Any;
use std::sync::Arc;

use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::{DataFusionError, Result, TableReference};
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan, ScalarUDF};
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use serde::{Deserialize, Serialize};

use crate::grid_table::{GridScan, GridScanExec, GridTable};
use crate::response::ResponseUdf;
use crate::score::{self, ModelScoreUdf};

/// The first bytes of every buffer these codecs write: what follows is nedra's JSON.
const TAG: &[u8] = b"nedra-scale/1\n";

/// The physical grid scan on the wire.
#[derive(Serialize, Deserialize)]
struct ScanWire {
    scan: GridScan,
    projection: Vec<usize>,
}

fn tagged(buf: &mut Vec<u8>, json: &[u8]) {
    buf.extend_from_slice(TAG);
    buf.extend_from_slice(json);
}

fn untag(buf: &[u8]) -> Option<&[u8]> {
    buf.strip_prefix(TAG)
}

fn internal(e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Internal(format!("nedra-scale codec: {e}"))
}

fn encode_udf(node: &ScalarUDF, buf: &mut Vec<u8>) -> bool {
    let inner: &dyn Any = node.inner().as_ref();
    if let Some(udf) = inner.downcast_ref::<ResponseUdf>() {
        tagged(buf, &udf.to_bytes());
        true
    } else if let Some(udf) = inner.downcast_ref::<ModelScoreUdf>() {
        tagged(buf, &udf.to_bytes());
        true
    } else {
        false
    }
}

/// A nedra UDF from its tagged JSON, by its name: the model-scoring UDF or a response UDF.
fn decode_udf(name: &str, buf: &[u8]) -> Option<Result<Arc<ScalarUDF>>> {
    untag(buf).map(|json| {
        if name == score::FUNCTION_NAME {
            ModelScoreUdf::from_bytes(json).map(|u| Arc::new(u.into_udf()))
        } else {
            ResponseUdf::from_bytes(json).map(|u| Arc::new(u.into_udf()))
        }
        .map_err(internal)
    })
}

/// The logical codec: the grid table and nedra's UDFs, then Ballista's.
#[derive(Debug, Default)]
pub struct NedraLogicalCodec {
    inner: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for NedraLogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match untag(buf) {
            Some(json) => {
                let scan: GridScan = serde_json::from_slice(json).map_err(internal)?;
                Ok(Arc::new(GridTable::new(scan)))
            }
            None => self
                .inner
                .try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        let any: &dyn Any = node.as_ref();
        match any.downcast_ref::<GridTable>() {
            Some(t) => {
                tagged(buf, &serde_json::to_vec(t.scan()).map_err(internal)?);
                Ok(())
            }
            None => self.inner.try_encode_table_provider(table_ref, node, buf),
        }
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.inner.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        decode_udf(name, buf).unwrap_or_else(|| self.inner.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        if encode_udf(node, buf) {
            Ok(())
        } else {
            self.inner.try_encode_udf(node, buf)
        }
    }
}

/// The physical codec: the grid scan and nedra's UDFs, then Ballista's.
#[derive(Debug, Default)]
pub struct NedraPhysicalCodec {
    inner: BallistaPhysicalExtensionCodec,
}

impl PhysicalExtensionCodec for NedraPhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match untag(buf) {
            Some(json) => {
                let wire: ScanWire = serde_json::from_slice(json).map_err(internal)?;
                let [input] = inputs else {
                    return Err(internal(format!(
                        "a grid scan takes one input, given {}",
                        inputs.len()
                    )));
                };
                Ok(Arc::new(GridScanExec::new(
                    Arc::new(wire.scan),
                    wire.projection,
                    input.clone(),
                )?))
            }
            None => self.inner.try_decode(buf, inputs, ctx, proto_converter),
        }
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        let any: &dyn Any = node.as_ref();
        match any.downcast_ref::<GridScanExec>() {
            Some(exec) => {
                let wire = ScanWire {
                    scan: exec.scan().clone(),
                    projection: exec.projection().to_vec(),
                };
                tagged(buf, &serde_json::to_vec(&wire).map_err(internal)?);
                Ok(())
            }
            None => self.inner.try_encode(node, buf, proto_converter),
        }
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        decode_udf(name, buf).unwrap_or_else(|| self.inner.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        if encode_udf(node, buf) {
            Ok(())
        } else {
            self.inner.try_encode_udf(node, buf)
        }
    }
}
