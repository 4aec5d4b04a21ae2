//! Staff authentication and the permission table.

mod lockout;
mod password;
mod permission;
mod session;
mod signing_key;

pub use lockout::{LOCKOUT_MINUTES, MAX_FAILED_LOGINS};
pub use permission::{Permission, Role, Roles};
pub use session::{change_password, lock, log_out, login, unlock, Session};
pub(crate) use session::{authorize, authorize_any, current_roles, current_staff};

pub(crate) use password::{hash_password, Password};
pub(crate) use signing_key::new_key;
