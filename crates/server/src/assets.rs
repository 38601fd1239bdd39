//! The page's files, embedded in the binary at build time (see build.rs): the binary serves
//! everything the page needs and nothing is fetched from elsewhere.

/// One embedded file.
pub struct Asset {
    /// The name under `/assets/` (or `/` for the page).
    pub name: &'static str,
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

/// The page itself, served at `/`.
pub const INDEX: Asset = Asset {
    name: "index.html",
    content_type: "text/html; charset=utf-8",
    bytes: include_bytes!(env!("NEDRA_WEB_INDEX_HTML")),
};

/// Everything served under `/assets/NAME`.
pub const ASSETS: [Asset; 5] = [
    Asset {
        name: "maplibre-gl.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!(env!("NEDRA_WEB_MAPLIBRE_JS")),
    },
    Asset {
        name: "maplibre-gl-worker.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!(env!("NEDRA_WEB_MAPLIBRE_WORKER_JS")),
    },
    Asset {
        name: "maplibre-gl.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!(env!("NEDRA_WEB_MAPLIBRE_CSS")),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!(env!("NEDRA_WEB_APP_JS")),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!(env!("NEDRA_WEB_APP_CSS")),
    },
];

/// The asset named `name`.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}
