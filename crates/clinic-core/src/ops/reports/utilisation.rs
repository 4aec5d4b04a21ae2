//! (being written)

use super::{OnProgress, Report, Scope};
use crate::clinic::Clinic;
use crate::error::Result;

pub(crate) async fn report(_clinic: &Clinic, _scope: &Scope, _progress: OnProgress<'_>) -> Result<Report> {
    Err(crate::error::Error::new(crate::error::Code::Internal, "not yet"))
}
