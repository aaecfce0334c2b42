//! Building blocks that know no business area: the database handle and its migrations, time
//! stamps, caches, dynamic filters, bulk inserts, paging, the error type and the object
//! store. Nothing here imports an area.

pub mod bulk;
pub mod cache;
pub mod clock;
pub mod db;
pub mod error;
pub mod filter;
pub mod objects;
pub mod page;
pub mod params;
pub mod text;
