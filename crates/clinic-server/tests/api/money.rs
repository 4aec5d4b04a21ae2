//! The money's records on the server (DESIGN.md §7b): a ledger entry (an invoice, a payment, a
//! refund, a credit note) is taken once from someone whose role allows it and never changed or
//! deleted; a cash session is changed only by its cashier, and by nobody once closed.

use clinic_sync::{Op, Outcome};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;

async fn stored(server: &TestServer, entity: &str, id: Uuid) -> Option<Value> {
    sqlx::query_scalar("SELECT data FROM record WHERE entity = $1 AND entity_id = $2").bind(entity).bind(id).fetch_optional(&server.server.db).await.unwrap()
}

#[tokio::test]
async fn a_ledger_entry_is_taken_once_from_whoever_may_make_it_and_never_changed() {
    let (server, _, mut desk, staff) = riverside().await;
    let invoice = Uuid::now_v7();
    // A doctor does not issue invoices; a receptionist does.
    let by_doctor = desk.mutation(staff.doctor, "invoice", invoice, Op::Insert, None, &[("number", json!("RV-01-2026-000001"))]);
    assert_eq!(refusal(&desk.push(&server, &[by_doctor]).await[0]), Some("permission_denied"));
    assert!(stored(&server, "invoice", invoice).await.is_none());
    let issued = desk.mutation(staff.reception, "invoice", invoice, Op::Insert, None, &[("number", json!("RV-01-2026-000001"))]);
    assert!(matches!(desk.push(&server, &[issued]).await[0], Outcome::Applied { .. }));
    let held = stored(&server, "invoice", invoice).await.unwrap();

    // Never changed, never deleted, not even by a manager; a second "creation" of it neither.
    let change = desk.mutation(staff.manager, "invoice", invoice, Op::Update, Some(1), &[("total_minor", json!(1))]);
    let delete = desk.mutation(staff.manager, "invoice", invoice, Op::Delete, Some(1), &[]);
    let again = desk.mutation(staff.reception, "invoice", invoice, Op::Insert, None, &[("number", json!("RV-01-2026-000009"))]);
    let outcomes = desk.push(&server, &[change, delete, again]).await;
    assert!(outcomes.iter().all(|o| refusal(o).is_some()), "{outcomes:?}");
    assert_eq!(refusal(&outcomes[2]), Some("ledger_entry"));
    assert_eq!(stored(&server, "invoice", invoice).await.unwrap(), held);

    // A refund and a credit note are a manager's: a receptionist's are refused.
    let payment = Uuid::now_v7();
    let paid = desk.mutation(staff.reception, "payment", payment, Op::Insert, None, &[("invoice_id", json!(invoice)), ("amount_minor", json!(4500))]);
    assert!(matches!(desk.push(&server, &[paid]).await[0], Outcome::Applied { .. }));
    let refund = |by: Uuid, desk: &mut Desk| desk.mutation(by, "refund", Uuid::now_v7(), Op::Insert, None,
        &[("payment_id", json!(payment)), ("invoice_id", json!(invoice)), ("amount_minor", json!(100))]);
    let credit = |by: Uuid, desk: &mut Desk| desk.mutation(by, "credit_note", Uuid::now_v7(), Op::Insert, None,
        &[("invoice_id", json!(invoice)), ("number", json!(format!("CN-RV-01-2026-{}", &Uuid::now_v7().simple().to_string()[24..])))]);
    let (r, c) = (refund(staff.reception, &mut desk), credit(staff.reception, &mut desk));
    assert_eq!(desk.push(&server, &[r, c]).await.iter().map(refusal).collect::<Vec<_>>(), [Some("permission_denied"); 2]);
    let (r, c) = (refund(staff.manager, &mut desk), credit(staff.manager, &mut desk));
    assert!(desk.push(&server, &[r, c]).await.iter().all(|o| matches!(o, Outcome::Applied { .. })));

    // Lines that do not fit the declaration are refused before anything is stored.
    let bad = desk.mutation(staff.reception, "invoice", Uuid::now_v7(), Op::Insert, None, &[("lines", json!([{"description": "x", "item_id": null,
        "quantity": 1, "unit_price": 100, "discount": {"kind": "amount", "value": 101}, "tax_rate_bp": 0}]))]);
    assert_eq!(refusal(&desk.push(&server, &[bad]).await[0]), Some("bad_value"));
}

#[tokio::test]
async fn a_cash_session_is_changed_only_by_its_cashier_and_by_nobody_once_closed() {
    let (server, _, mut desk, staff) = riverside().await;
    let session = Uuid::now_v7();
    let in_someone_elses_name = desk.mutation(staff.manager, "cash_session", session, Op::Insert, None, &[("staff_id", json!(staff.reception))]);
    assert_eq!(refusal(&desk.push(&server, &[in_someone_elses_name]).await[0]), Some("permission_denied"));
    let opened = desk.mutation(staff.reception, "cash_session", session, Op::Insert, None, &[("staff_id", json!(staff.reception)), ("opening_float", json!(5000))]);
    assert!(matches!(desk.push(&server, &[opened]).await[0], Outcome::Applied { .. }));

    // The manager may not close it, nor the cashier hand it over.
    let closed_by_manager = desk.mutation(staff.manager, "cash_session", session, Op::Update, Some(1), &[("closed_at", json!(1_790_000_500_000_i64))]);
    let handed_over = desk.mutation(staff.reception, "cash_session", session, Op::Update, Some(1), &[("staff_id", json!(staff.manager))]);
    let outcomes = desk.push(&server, &[closed_by_manager, handed_over]).await;
    assert_eq!(outcomes.iter().map(refusal).collect::<Vec<_>>(), [Some("permission_denied"); 2]);

    let closed = desk.mutation(staff.reception, "cash_session", session, Op::Update, Some(1),
        &[("closed_at", json!(1_790_000_500_000_i64)), ("counted", json!({"cash": 4800})), ("expected", json!({"cash": 5000}))]);
    assert!(matches!(desk.push(&server, &[closed]).await[0], Outcome::Applied { .. }));
    let held = stored(&server, "cash_session", session).await.unwrap();
    let recount = desk.mutation(staff.reception, "cash_session", session, Op::Update, Some(2), &[("counted", json!({"cash": 5000}))]);
    assert_eq!(refusal(&desk.push(&server, &[recount]).await[0]), Some("closed"));
    assert_eq!(stored(&server, "cash_session", session).await.unwrap(), held);
}
