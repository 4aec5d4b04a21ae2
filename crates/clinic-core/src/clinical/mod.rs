//! Clinical records: the code sets a chart is written in.

pub mod icd10;
