//! 招商地图 markers (domain §13): where projects and zones lie, set by a bureau clicking the
//! map, and read back within the reader's reach. Coordinates are optional; a project without
//! one still counts in the shaded figures, it is only not drawn.

use crate::audit::{self, Change};
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use luodi_domain::{Permission, RegionCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// Map markers within the actor's scope.
    Map, map
);

/// The most project markers one answer draws: a province's placed projects beyond this are
/// counted, and the largest contracts drawn.
pub const MARKER_LIMIT: i64 = 3000;

/// Longitude and latitude bounds of the country's territory, in degrees, with a margin.
const LNG_RANGE: std::ops::RangeInclusive<f64> = 73.0..=136.0;
const LAT_RANGE: std::ops::RangeInclusive<f64> = 3.0..=54.0;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MarkersQuery {
    /// The region whose markers are drawn (inside the user's scope); the user's own when
    /// omitted.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
}

/// A point set on the map, in degrees (GCJ-02, as the bundled boundaries).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct Location {
    pub lng: f64,
    pub lat: f64,
}

/// Sets a location, or clears it with `location: null`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct LocationInput {
    pub location: Option<Location>,
}

/// A signed project drawn on the map.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProjectMarker {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub zone_name: Option<String>,
    pub stage: String,
    pub contract_fen: i64,
    pub contract_cents: i64,
    pub arrived_fen: i64,
    pub arrived_cents: i64,
    #[serde(skip)]
    lng_e6: i64,
    #[serde(skip)]
    lat_e6: i64,
    #[sqlx(skip)]
    pub lng: f64,
    #[sqlx(skip)]
    pub lat: f64,
}

/// A zone (园区、乡镇) drawn on the map, with the projects of it that the reader reaches.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ZoneMarker {
    pub id: i64,
    pub name: String,
    /// `park` or `township`.
    pub kind: String,
    pub county_code: String,
    pub county_name: String,
    pub projects: i64,
    #[serde(skip)]
    lng_e6: i64,
    #[serde(skip)]
    lat_e6: i64,
    #[sqlx(skip)]
    pub lng: f64,
    #[sqlx(skip)]
    pub lat: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Markers {
    pub projects: Vec<ProjectMarker>,
    pub zones: Vec<ZoneMarker>,
    /// Projects within the region that have a place on the map (drawn up to the limit).
    pub placed: i64,
    /// Signed projects within the region the reader reaches that have none yet.
    pub unplaced: i64,
    /// Whether more projects are placed than drawn.
    pub truncated: bool,
}

fn degrees(e6: i64) -> f64 {
    e6 as f64 / 1_000_000.0
}

/// Degrees to the stored millionths, refusing a point outside the country's bounds.
pub fn to_e6(location: Location) -> Result<(i64, i64), StoreError> {
    let mut checks = Checks::default();
    if !location.lng.is_finite() || !LNG_RANGE.contains(&location.lng) {
        checks.add("location.lng", "经度应在东经73°至136°之间");
    }
    if !location.lat.is_finite() || !LAT_RANGE.contains(&location.lat) {
        checks.add("location.lat", "纬度应在北纬3°至54°之间");
    }
    checks.finish()?;
    Ok((
        (location.lng * 1_000_000.0).round() as i64,
        (location.lat * 1_000_000.0).round() as i64,
    ))
}

impl Map<'_> {
    /// The placed projects and zones of a region that the reader reaches, and how many of its
    /// signed projects are not placed yet. Confirmed duplicates are left out, as from every
    /// figure.
    pub async fn markers(&self, query: &MarkersQuery) -> Result<Markers, StoreError> {
        let region = self.rates().report_region(query.region.as_deref())?;
        let mut f = Filter::new(
            "SELECT p.id, p.name, p.region_code, r.name AS region_name, z.name AS zone_name, \
             p.stage, p.contract_fen, p.contract_cents, p.arrived_fen, p.arrived_cents, \
             l.lng_e6, l.lat_e6 \
             FROM projects p JOIN project_locations l ON l.project_id = p.id \
             JOIN regions r ON r.code = p.region_code \
             LEFT JOIN zones z ON z.id = p.zone_id \
             WHERE p.duplicate_of IS NULL",
        );
        f.projects(&self.actor, "p", "p.region_code", region.as_ref());
        let limit = f.bind(Bind::Int(MARKER_LIMIT + 1));
        let mut projects: Vec<ProjectMarker> = f
            .query_as(&format!(
                "{} ORDER BY p.contract_fen DESC, p.contract_cents DESC, p.id LIMIT {limit}",
                f.sql
            ))
            .fetch_all(&self.db.pool)
            .await?;
        let truncated = projects.len() as i64 > MARKER_LIMIT;
        projects.truncate(MARKER_LIMIT as usize);
        for p in &mut projects {
            p.lng = degrees(p.lng_e6);
            p.lat = degrees(p.lat_e6);
        }

        let mut f = Filter::new(
            "SELECT COUNT(l.project_id) AS placed, COUNT(*) - COUNT(l.project_id) AS unplaced \
             FROM projects p LEFT JOIN project_locations l ON l.project_id = p.id \
             WHERE p.duplicate_of IS NULL AND p.signed_on IS NOT NULL",
        );
        f.projects(&self.actor, "p", "p.region_code", region.as_ref());
        let (placed, unplaced): (i64, i64) = f.query_as(&f.sql).fetch_one(&self.db.pool).await?;

        // Zones of the region, with the projects of each that the reader reaches.
        let mut f = Filter::new(
            "SELECT z.id, z.name, z.kind, z.county_code, r.name AS county_name, \
             CAST(0 AS BIGINT) AS projects, l.lng_e6, l.lat_e6 \
             FROM zones z JOIN zone_locations l ON l.zone_id = z.id \
             JOIN regions r ON r.code = z.county_code WHERE 1 = 1",
        );
        f.scope_within("z.county_code", &self.actor.scope, region.as_ref());
        let mut zones: Vec<ZoneMarker> = f
            .query_as(&format!("{} ORDER BY z.county_code, z.name", f.sql))
            .fetch_all(&self.db.pool)
            .await?;
        if !zones.is_empty() {
            let mut f = Filter::new(
                "SELECT p.zone_id, COUNT(*) FROM projects p \
                 WHERE p.zone_id IS NOT NULL AND p.duplicate_of IS NULL",
            );
            f.projects(&self.actor, "p", "p.region_code", region.as_ref());
            let counts: Vec<(i64, i64)> = f
                .query_as(&format!("{} GROUP BY p.zone_id", f.sql))
                .fetch_all(&self.db.pool)
                .await?;
            let counts: std::collections::HashMap<i64, i64> = counts.into_iter().collect();
            for z in &mut zones {
                z.projects = counts.get(&z.id).copied().unwrap_or(0);
            }
        }
        for z in &mut zones {
            z.lng = degrees(z.lng_e6);
            z.lat = degrees(z.lat_e6);
        }
        Ok(Markers {
            projects,
            zones,
            placed,
            unplaced,
            truncated,
        })
    }

    /// Places a project on the map (or takes it off): a ledger keeper of a project the reader
    /// reaches. Audited with the point before and after.
    pub async fn set_project(
        &self,
        id: i64,
        input: LocationInput,
    ) -> Result<Option<Location>, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let project = self.ledger().find_project(id).await?;
        let point = input.location.map(to_e6).transpose()?;
        let region = RegionCode::parse(&project.region_code)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        self.write_location(
            "project_locations",
            "project_id",
            id,
            point,
            Place {
                entity: "project",
                summary_name: &project.name,
                region: &region,
            },
        )
        .await?;
        Ok(input.location)
    }

    /// Places a zone on the map (or takes it off): a ledger keeper whose scope holds the
    /// zone's county.
    pub async fn set_zone(
        &self,
        id: i64,
        input: LocationInput,
    ) -> Result<Option<Location>, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let mut f = Filter::new("SELECT z.name, z.county_code FROM zones z WHERE 1 = 1");
        let z = f.bind(Bind::Int(id));
        f.and(&format!("z.id = {z}"));
        f.scope("z.county_code", &self.actor.scope);
        let zone: Option<(String, String)> =
            f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        let (name, county) = zone.ok_or(StoreError::NotFound("该园区（乡镇）"))?;
        let point = input.location.map(to_e6).transpose()?;
        let region = RegionCode::parse(&county).map_err(|e| StoreError::Internal(e.to_string()))?;
        self.write_location(
            "zone_locations",
            "zone_id",
            id,
            point,
            Place {
                entity: "zone",
                summary_name: &name,
                region: &region,
            },
        )
        .await?;
        Ok(input.location)
    }

    async fn write_location(
        &self,
        table: &str,
        key: &str,
        id: i64,
        point: Option<(i64, i64)>,
        place: Place<'_>,
    ) -> Result<(), StoreError> {
        let before: Option<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT lng_e6, lat_e6 FROM {table} WHERE {key} = $1"
        ))
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?;
        if before == point {
            return Ok(());
        }
        let as_json = |p: Option<(i64, i64)>| {
            p.map(|(lng, lat)| serde_json::json!({ "lng": degrees(lng), "lat": degrees(lat) }))
        };
        let mut tx = self.db.pool.begin().await?;
        match point {
            Some((lng, lat)) => {
                sqlx::query(&format!(
                    "INSERT INTO {table} ({key}, lng_e6, lat_e6, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT ({key}) DO UPDATE SET \
                     lng_e6 = excluded.lng_e6, lat_e6 = excluded.lat_e6, \
                     set_by = excluded.set_by, set_at = excluded.set_at"
                ))
                .bind(id)
                .bind(lng)
                .bind(lat)
                .bind(self.actor.user_id)
                .bind(crate::kit::clock::now())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(&format!("DELETE FROM {table} WHERE {key} = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: place.entity,
                entity_id: Some(id.to_string()),
                action: "locate",
                summary: match point {
                    Some(_) => format!("在地图上标注「{}」的位置", place.summary_name),
                    None => format!("清除「{}」在地图上的位置", place.summary_name),
                },
                region: Some(place.region),
                before: as_json(before),
                after: as_json(point),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

struct Place<'a> {
    entity: &'static str,
    summary_name: &'a str,
    region: &'a RegionCode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_outside_the_country_are_refused_and_inside_kept_to_the_millionth() {
        assert_eq!(
            to_e6(Location {
                lng: 112.355042,
                lat: 28.553916
            })
            .unwrap(),
            (112_355_042, 28_553_916)
        );
        assert!(to_e6(Location {
            lng: 2.35,
            lat: 48.85
        })
        .is_err());
        assert!(to_e6(Location {
            lng: 112.0,
            lat: f64::NAN
        })
        .is_err());
        assert!(to_e6(Location {
            lng: 136.0,
            lat: 54.0
        })
        .is_ok());
    }
}
