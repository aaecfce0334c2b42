//! The one error shape of the API: a stable machine-readable `code`, a Chinese `message`, and
//! for bad input the fields (or sheet rows) at fault. Internal causes are logged, never sent.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use luodi_store::{FieldErrors, RowError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error code the API answers with, each with what it means in Chinese. Programs match
/// on the code; people read the message beside it, which says more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 账号已锁定
    AccountLocked,
    /// 地址中的编号格式不正确
    BadPath,
    /// 查询参数不正确
    BadQuery,
    /// 请求有误
    BadRequest,
    /// 与已有数据冲突
    Conflict,
    /// 无权进行此操作
    Forbidden,
    /// 导入文件有错误，未写入任何数据
    ImportRejected,
    /// 服务器内部错误
    Internal,
    /// 用户名或密码错误
    InvalidCredentials,
    /// 请求内容不是合法的JSON
    MalformedJson,
    /// 未找到，或不在管辖范围内
    NotFound,
    /// 须先修改密码
    PasswordChangeRequired,
    /// 密码已超过有效期，须先修改密码
    PasswordExpired,
    /// 该记录已被他人修改
    StaleVersion,
    /// 请先登录，或登录已超时
    Unauthenticated,
    /// 服务器繁忙，稍后重试（回答带 Retry-After）
    Busy,
    /// 拒绝来自其他网站、凭 Cookie 发出的修改请求
    CrossOrigin,
    /// 请求的内容类型不受支持
    UnsupportedMediaType,
    /// 提交的数据有误
    ValidationFailed,
    /// 接口不存在
    RouteNotFound,
    /// 上传的文件不是有效的Excel工作簿
    InvalidFile,
    /// 表格不是下载的模板
    InvalidTemplate,
    /// 上传方式不正确
    InvalidUpload,
    /// 行数超过一次导入的上限
    TooManyRows,
    /// 工作簿超过导入的大小限制
    SheetTooLarge,
    /// 两步验证码不正确或已使用
    InvalidCode,
    /// 登录验证已过期，请重新输入密码
    ChallengeExpired,
    /// 登录失败次数过多，请稍后再试（回答带 Retry-After）
    TooManyRequests,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code for programs, e.g. `validation_failed`.
    pub code: ErrorCode,
    /// Message for people, in Chinese.
    pub message: String,
    /// Field name → messages, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    /// Sheet row errors, for `import_rejected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_errors: Option<Vec<RowError>>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                errors: None,
                rows_errors: None,
            },
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "请先登录，或登录已超时",
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        StoreError::field(field, message).into()
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "服务器内部错误，请稍后重试；如持续出现请联系管理员",
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.body.code
    }
}

/// Seconds a client is asked to wait before trying again after `busy`.
const BUSY_RETRY_SECONDS: &str = "2";

/// The code and message of an error answer, kept on the response for the middleware that
/// audits refusals (`trail.rs`).
#[derive(Debug, Clone)]
pub struct Answered {
    pub code: ErrorCode,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let answered = Answered {
            code: self.body.code,
            message: self.body.message.clone(),
        };
        let mut response = (self.status, axum::Json(self.body)).into_response();
        response.extensions_mut().insert(answered);
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(BUSY_RETRY_SECONDS),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => {
                Self::not_found(format!("未找到{what}，或不在您的管辖范围内"))
            }
            StoreError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, m),
            StoreError::Validation(errors) => {
                let summary = errors
                    .values()
                    .flatten()
                    .next()
                    .cloned()
                    .unwrap_or_default();
                let mut e = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::ValidationFailed,
                    format!("提交的数据有误：{summary}"),
                );
                e.body.errors = Some(errors);
                e
            }
            StoreError::Rows(rows) => {
                let mut e = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::ImportRejected,
                    format!("导入文件有{}处错误，未写入任何数据", rows.len()),
                );
                e.body.rows_errors = Some(rows);
                e
            }
            StoreError::Conflict { field, message } => {
                let mut e = Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, message.clone());
                e.body.errors = Some([(field, vec![message])].into_iter().collect());
                e
            }
            StoreError::Busy => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Busy,
                "登录的人太多，服务器繁忙，请稍候几秒再试",
            ),
            StoreError::Stale => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::StaleVersion,
                "该记录已被他人修改，请刷新后重试",
            ),
            other => Self::internal(other),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadQuery,
            format!("查询参数不正确：{}", describe_serde(&rejection.body_text())),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadPath,
            "地址中的编号格式不正确",
        )
    }
}

/// Turns serde's English into Chinese a user can act on, keeping the field name.
///
/// serde's text looks like `…: name: invalid type: integer `5`, expected a string at line 1`.
fn describe_serde(text: &str) -> String {
    let parts: Vec<&str> = text.split(": ").collect();
    let Some(i) = parts.iter().position(|p| {
        p.starts_with("invalid type")
            || p.starts_with("missing field")
            || p.starts_with("unknown variant")
            || p.starts_with("invalid value")
            || p.starts_with("unknown field")
    }) else {
        return "请求内容的格式不正确".to_owned();
    };
    let field = (i > 0)
        .then(|| parts[i - 1])
        .filter(|f| !f.contains(' '))
        .map(|f| format!("字段 {f} "))
        .unwrap_or_default();
    let detail = parts[i..].join(": ");
    let detail = detail.split(" at line ").next().unwrap_or(&detail);
    if let Some(missing) = detail
        .strip_prefix("missing field `")
        .and_then(|s| s.split('`').next())
    {
        return format!("缺少必填字段 {missing}");
    }
    if detail.starts_with("unknown variant") {
        return format!("{field}的取值不在允许范围内（{detail}）");
    }
    let expected = detail.split("expected ").nth(1).unwrap_or("");
    let kind = if expected.contains("string") {
        "文本"
    } else if expected.contains("i64") || expected.contains("integer") {
        "整数"
    } else if expected.contains("bool") {
        "是/否（true 或 false）"
    } else if expected.contains("f64") {
        "数字"
    } else {
        ""
    };
    if kind.is_empty() {
        format!("{field}的取值不正确（{detail}）")
    } else {
        format!("{field}应为{kind}（{detail}）")
    }
}

/// A JSON body. Its rejections answer in [`ApiError`]'s shape, and a value of the wrong type
/// or outside an enumeration names the field at fault (its path, e.g. `items[2].stage`),
/// found with `serde_path_to_error` rather than by parsing serde's message.
pub struct Json<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "请求须为 Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_request("无法读取请求内容"))?;
        let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
                "请求内容不是合法的JSON",
            ));
        };
        whole_numbers_as_integers(&mut value);
        match serde_path_to_error::deserialize(value) {
            Ok(value) => Ok(Json(value)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let (field, message) = describe_field(&path, &inner.to_string());
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::ValidationFailed,
                    message.clone(),
                );
                e.body.errors = Some([(field, vec![message])].into_iter().collect());
                Err(e)
            }
        }
    }
}

/// Writes every number with a zero fractional part (`304.0`) as the integer it is, as JSON
/// Schema counts it (an `integer` of the OpenAPI document), so that an integer field takes it
/// as serde would take `304`.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // 2⁶³ is exactly representable; anything from it up does not fit an i64.
            if f.fract() == 0.0 && f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The field at fault and a Chinese message, from serde's path and message (e.g. `stage` and
/// "unknown variant `x`, expected one of `lead`, `intent` at line 1 column 9").
fn describe_field(path: &str, detail: &str) -> (String, String) {
    let detail = detail.split(" at line ").next().unwrap_or(detail);
    if let Some(missing) = detail
        .strip_prefix("missing field `")
        .and_then(|s| s.split('`').next())
    {
        let field = match path {
            "." | "" => missing.to_owned(),
            parent => format!("{parent}.{missing}"),
        };
        return (field.clone(), format!("缺少必填字段 {field}"));
    }
    let field = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    if let Some(rest) = detail.strip_prefix("unknown variant `") {
        let (value, allowed) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed: Vec<String> = allowed
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|code| match luodi_domain::code_label(code) {
                Some(label) => format!("{code}（{label}）"),
                None => code.to_owned(),
            })
            .collect();
        return (
            field.clone(),
            format!(
                "字段 {field} 的取值“{value}”无效，应为：{}",
                allowed.join("、")
            ),
        );
    }
    (field.clone(), describe_serde(&format!("{field}: {detail}")))
}

/// `axum::extract::Query` with rejections in the API's shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` with rejections in the API's shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

pub type ApiResult<T> = Result<T, ApiError>;

/// An error answer the shared request handling can give, listed in the OpenAPI document on
/// every operation that can receive it (see [`document_shared_errors`]).
struct SharedError {
    status: &'static str,
    name: &'static str,
    description: &'static str,
    retry_after: bool,
}

const BAD_REQUEST: SharedError = SharedError {
    status: "400",
    name: "BadRequest",
    description:
        "请求有误：地址中的编号（bad_path）、查询参数（bad_query）、JSON（malformed_json）\
        或上传方式（invalid_upload、bad_request）不正确",
    retry_after: false,
};
const UNAUTHENTICATED: SharedError = SharedError {
    status: "401",
    name: "Unauthenticated",
    description: "请先登录，或登录已超时（unauthenticated）",
    retry_after: false,
};
const FORBIDDEN: SharedError = SharedError {
    status: "403",
    name: "Forbidden",
    description: "无权进行此操作（forbidden）；须先修改密码（password_change_required、\
        password_expired）；凭 Cookie 从其他网站发出的修改（cross_origin）",
    retry_after: false,
};
const NOT_FOUND: SharedError = SharedError {
    status: "404",
    name: "NotFound",
    description: "未找到所指的记录或地区，或不在管辖范围内（not_found）",
    retry_after: false,
};
const UNSUPPORTED_MEDIA_TYPE: SharedError = SharedError {
    status: "415",
    name: "UnsupportedMediaType",
    description: "请求须为 Content-Type: application/json（unsupported_media_type）",
    retry_after: false,
};
const UNPROCESSABLE: SharedError = SharedError {
    status: "422",
    name: "ValidationFailed",
    description: "提交的数据或查询条件有误（validation_failed，errors 按字段列出）；\
        导入文件有错误（import_rejected 等）",
    retry_after: false,
};
const TOO_MANY_REQUESTS: SharedError = SharedError {
    status: "429",
    name: "TooManyRequests",
    description: "登录失败次数过多，请在 Retry-After 秒后再试（too_many_requests）",
    retry_after: true,
};
const BUSY: SharedError = SharedError {
    status: "503",
    name: "Busy",
    description: "服务器繁忙，请在 Retry-After 秒后再试（busy）",
    retry_after: true,
};

/// Operations anyone may call without signing in: the health check and the sign-in steps.
fn is_public(path: &str) -> bool {
    path == "/api/health" || path.starts_with("/api/auth/login")
}

/// Lists on every operation of `doc` the error answers that the shared request handling gives
/// it, each in the [`ErrorBody`] shape, so that the document names every status the server
/// can answer: 400 for a bad path, query or body; 401 unless public; 403 for a signed-in
/// operation (permissions, a password to change) or a change (cross-site requests); 404 where
/// the request names a record or region; 415 for a JSON body of another type; 422 where a body
/// or query is checked; 429 and 503 for the sign-in steps (throttling and the queue of password
/// hashes). A status an operation documents itself keeps its own description.
pub fn document_shared_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{
        ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Schema, Type,
    };

    let all = [
        &BAD_REQUEST,
        &UNAUTHENTICATED,
        &FORBIDDEN,
        &NOT_FOUND,
        &UNSUPPORTED_MEDIA_TYPE,
        &UNPROCESSABLE,
        &TOO_MANY_REQUESTS,
        &BUSY,
    ];
    let components = doc.components.get_or_insert_with(Default::default);
    for e in all {
        let mut response = ResponseBuilder::new().description(e.description).content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        );
        if e.retry_after {
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::Integer))
                    .description(Some("几秒后可以再试"))
                    .build(),
            );
        }
        components
            .responses
            .insert(e.name.to_owned(), RefOr::T(response.build()));
    }

    let mut forms = std::collections::BTreeSet::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = is_public(path);
        for (get, op) in [
            (true, &mut item.get),
            (false, &mut item.put),
            (false, &mut item.post),
            (false, &mut item.delete),
            (false, &mut item.patch),
        ] {
            let Some(op) = op.as_mut() else { continue };
            let params = op.parameters.as_deref().unwrap_or_default();
            let in_path = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            let in_query = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let body = op.request_body.as_ref();
            let json = body.is_some_and(|b| b.content.contains_key("application/json"));
            let wanted = [
                (&BAD_REQUEST, in_path || in_query || body.is_some()),
                (&UNAUTHENTICATED, !public),
                (&FORBIDDEN, !public || !get),
                (
                    &NOT_FOUND,
                    !public && (in_path || in_query || body.is_some()),
                ),
                (&UNSUPPORTED_MEDIA_TYPE, json),
                (&UNPROCESSABLE, in_query || body.is_some()),
                (&TOO_MANY_REQUESTS, public && !get),
                (&BUSY, public && !get),
            ];
            for (e, applies) in wanted {
                if applies {
                    op.responses
                        .responses
                        .entry(e.status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(e.name)));
                }
            }
            if let Some(RefOr::Ref(form)) = body
                .and_then(|b| b.content.get("multipart/form-data"))
                .and_then(|c| c.schema.as_ref())
            {
                forms.insert(
                    form.ref_location
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                );
            }
        }
    }

    // A part's name travels in a header, where control characters cannot go: the server
    // refuses such a form as broken (400), so the document says so.
    let schemas = &mut doc.components.get_or_insert_with(Default::default).schemas;
    for form in forms {
        if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(&form) {
            object.property_names = Some(Box::new(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[^\x00-\x1f\x7f]*$"))
                    .into(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe_serde;

    #[test]
    fn serde_errors_in_chinese_with_the_field() {
        assert_eq!(
            describe_serde("Failed to deserialize the JSON body into the target type: name: invalid type: integer `5`, expected a string at line 1 column 10"),
            "字段 name 应为文本（invalid type: integer `5`, expected a string）"
        );
        assert_eq!(
            describe_serde("Failed to deserialize the JSON body into the target type: missing field `password` at line 1 column 2"),
            "缺少必填字段 password"
        );
        assert!(
            describe_serde("x: version: invalid type: string \"a\", expected i64 at line 1")
                .contains("字段 version 应为整数")
        );
    }
}
