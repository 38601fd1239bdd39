//! Embeds the page's files into the binary: MapLibre GL JS (from crates/server/web/node_modules,
//! installed by `npm ci` in `bash scripts/setup.sh`) and the page's own index.html, app.js and
//! app.css. Fails with a clear message when MapLibre is not installed.

use std::path::Path;

/// (environment variable, file below crates/server/web).
const FILES: [(&str, &str); 6] = [
    (
        "NEDRA_WEB_MAPLIBRE_JS",
        "node_modules/maplibre-gl/dist/maplibre-gl-csp.js",
    ),
    (
        "NEDRA_WEB_MAPLIBRE_WORKER_JS",
        "node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js",
    ),
    (
        "NEDRA_WEB_MAPLIBRE_CSS",
        "node_modules/maplibre-gl/dist/maplibre-gl.css",
    ),
    ("NEDRA_WEB_INDEX_HTML", "index.html"),
    ("NEDRA_WEB_APP_JS", "app.js"),
    ("NEDRA_WEB_APP_CSS", "app.css"),
];

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    for (var, file) in FILES {
        let path = web.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        if !path.is_file() {
            panic!(
                "\n\nnedra-server: {} is missing.\nThe web page embeds MapLibre GL JS from npm: run \
                 `bash scripts/setup.sh` (it runs `npm ci` in crates/server/web), then build again.\n\n",
                path.display()
            );
        }
        println!("cargo:rustc-env={var}={}", path.display());
    }
}
