use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// 1-based paging as the list pages send it.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
pub struct PageRequest {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page, 1–500 (default 20).
    pub page_size: Option<i64>,
}

impl PageRequest {
    pub fn limit(&self) -> i64 {
        self.page_size.unwrap_or(20).clamp(1, 500)
    }

    pub fn offset(&self) -> i64 {
        (self.page.unwrap_or(1).max(1) - 1) * self.limit()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows matching the filters, over all pages.
    pub total: i64,
}
