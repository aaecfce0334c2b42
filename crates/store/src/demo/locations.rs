//! The demo's map points: two thirds of the signed projects of the county-scale demo, and
//! every zone, placed around their county's centre (taken from the bundled boundary files'
//! `cp` points) as bureaus clicking the map would, so that the 招商地图 shows points and a
//! count of projects still to place.

use super::records;
use crate::kit::bulk::insert_rows as bulk;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

const CENTRES_CSV: &str = include_str!("../../data/demo/county_centres.csv");

/// Share of signed projects placed, in percent.
const PLACED_PERCENT: u32 = 67;

fn centres() -> Result<HashMap<String, (f64, f64)>, StoreError> {
    let mut out = HashMap::new();
    for r in records(CENTRES_CSV)? {
        let parse = |i: usize| {
            r[i].parse::<f64>()
                .map_err(|e| StoreError::Internal(format!("demo centres: {e}")))
        };
        out.insert(r[0].to_owned(), (parse(1)?, parse(2)?));
    }
    Ok(out)
}

/// A point around a centre: up to about 6 km east–west and 5 km north–south.
fn near(rng: &mut StdRng, (lng, lat): (f64, f64)) -> (i64, i64) {
    let lng = lng + rng.gen_range(-0.06..0.06);
    let lat = lat + rng.gen_range(-0.045..0.045);
    (
        (lng * 1_000_000.0).round() as i64,
        (lat * 1_000_000.0).round() as i64,
    )
}

pub(super) async fn load(db: &Db, seed: u64) -> Result<(usize, usize), StoreError> {
    let centres = centres()?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x006d_6170);
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&db.pool)
        .await?;
    let now = crate::kit::clock::now();
    let projects: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, region_code FROM projects WHERE signed_on IS NOT NULL ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    let zones: Vec<(i64, String)> = sqlx::query_as("SELECT id, county_code FROM zones ORDER BY id")
        .fetch_all(&db.pool)
        .await?;
    let mut rows = Vec::new();
    for (id, region) in projects {
        let Some(centre) = centres.get(&region) else {
            continue;
        };
        if rng.gen_range(0..100) >= PLACED_PERCENT {
            continue;
        }
        let (lng, lat) = near(&mut rng, *centre);
        rows.push(vec![
            Bind::Int(id),
            Bind::Int(lng),
            Bind::Int(lat),
            Bind::Int(admin),
            Bind::Text(now.clone()),
        ]);
    }
    let mut zone_rows = Vec::new();
    for (id, county) in zones {
        if let Some(centre) = centres.get(&county) {
            let (lng, lat) = near(&mut rng, *centre);
            zone_rows.push(vec![
                Bind::Int(id),
                Bind::Int(lng),
                Bind::Int(lat),
                Bind::Int(admin),
                Bind::Text(now.clone()),
            ]);
        }
    }
    let counts = (rows.len(), zone_rows.len());
    let mut tx = db.pool.begin().await?;
    let columns = ["project_id", "lng_e6", "lat_e6", "set_by", "set_at"];
    bulk(&mut tx, db.backend(), "project_locations", &columns, rows).await?;
    let columns = ["zone_id", "lng_e6", "lat_e6", "set_by", "set_at"];
    bulk(&mut tx, db.backend(), "zone_locations", &columns, zone_rows).await?;
    tx.commit().await?;
    Ok(counts)
}
