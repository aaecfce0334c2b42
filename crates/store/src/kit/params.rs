//! Query parameters as the OpenAPI document describes them, for the filters whose text the
//! store parses. A blank value counts as not given, so each admits the empty string too.

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::KnownFormat;

fn blank_or(value: ObjectBuilder) -> Schema {
    OneOfBuilder::new()
        .item(value.schema_type(Type::String))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(0)),
        )
        .into()
}

/// A day from 2000 to 2100 (`YYYY-MM-DD`), or blank.
pub fn day_or_blank() -> Schema {
    blank_or(
        ObjectBuilder::new()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(r"^(20[0-9]{2}|2100)-")),
    )
}

/// Any day (`YYYY-MM-DD`), or blank.
pub fn any_day_or_blank() -> Schema {
    blank_or(ObjectBuilder::new().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
}
