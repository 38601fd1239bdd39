//! XYZ raster tiles in Web Mercator (EPSG:3857): each tile is warped from the layer's COG by
//! GDAL's warper (which reads the matching overview level and only the blocks under the
//! tile), coloured by the layer's legend and encoded as PNG.

use crate::catalog::Layer;
use crate::legend::Painter;

/// Pixels across and down a tile.
pub const TILE_SIZE: usize = 256;
/// The deepest zoom level served.
pub const MAX_ZOOM: u32 = 24;
/// Half the width of the Web Mercator square, metres (π × 6378137).
pub const WEB_MERCATOR_HALF: f64 = 20_037_508.342_789_244;

/// The extent `[min_x, min_y, max_x, max_y]` (EPSG:3857 metres) of tile `z/x/y`, or None for
/// an address outside the tile pyramid.
pub fn tile_extent(z: u32, x: u32, y: u32) -> Option<[f64; 4]> {
    if z > MAX_ZOOM || x >= (1 << z) || y >= (1 << z) {
        return None;
    }
    let size = 2.0 * WEB_MERCATOR_HALF / f64::from(1u32 << z);
    let min_x = -WEB_MERCATOR_HALF + f64::from(x) * size;
    let max_y = WEB_MERCATOR_HALF - f64::from(y) * size;
    Some([min_x, max_y - size, min_x + size, max_y])
}

/// The cell values of tile `extent` of `layer`: 256 × 256 values, row by row from the top,
/// NaN where there is no data. A tile that misses the raster is read from nowhere.
///
/// # Errors
/// [`nedra_io::Error::Gdal`] when GDAL cannot warp the raster.
pub fn tile_values(
    layer: &Layer,
    web_mercator: &str,
    extent: [f64; 4],
) -> Result<Vec<f64>, nedra_io::Error> {
    if !nedra_io::warp::overlaps(extent, layer.extent_3857) {
        return Ok(vec![f64::NAN; TILE_SIZE * TILE_SIZE]);
    }
    layer.with_dataset(|ds| {
        nedra_io::warp::warp_window(
            ds,
            &layer.path,
            web_mercator,
            extent,
            TILE_SIZE,
            TILE_SIZE,
            layer.resampling,
        )
    })
}

/// The PNG of `values` (a `TILE_SIZE`² tile) coloured by `painter`: RGBA, NoData transparent.
pub fn paint_png(values: &[f64], painter: &Painter) -> Vec<u8> {
    assert_eq!(values.len(), TILE_SIZE * TILE_SIZE, "not a whole tile");
    let mut rgba = Vec::with_capacity(values.len() * 4);
    for v in values {
        rgba.extend_from_slice(&painter.paint(*v));
    }
    encode_png(TILE_SIZE as u32, TILE_SIZE as u32, &rgba)
}

/// RGBA pixels as a PNG (fast compression: tiles are made on request).
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    // Writing into a Vec cannot fail, and the size matches the buffer (asserted by callers).
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer.write_image_data(rgba).expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_web_mercator_square() {
        let whole = tile_extent(0, 0, 0).unwrap();
        assert_eq!(
            whole,
            [
                -WEB_MERCATOR_HALF,
                -WEB_MERCATOR_HALF,
                WEB_MERCATOR_HALF,
                WEB_MERCATOR_HALF
            ]
        );
        let ne = tile_extent(1, 1, 0).unwrap();
        assert_eq!(ne, [0.0, 0.0, WEB_MERCATOR_HALF, WEB_MERCATOR_HALF]);
        assert!(tile_extent(1, 2, 0).is_none());
        assert!(tile_extent(25, 0, 0).is_none());
        assert!(tile_extent(24, (1 << 24) - 1, 0).is_some());
    }

    #[test]
    fn a_png_decodes_to_its_pixels() {
        let rgba: Vec<u8> = (0..4 * 3 * 2).map(|i| i as u8).collect();
        let png = encode_png(3, 2, &rgba);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (3, 2));
        assert_eq!(&buf[..info.buffer_size()], &rgba[..]);
    }
}
