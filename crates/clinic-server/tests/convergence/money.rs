//! The money across workstations (DESIGN.md §7b): three real workstations behind fault-injecting
//! proxies issue invoices from their own series, finalise drafts that other desks also finalise,
//! take payments, refund and credit, while partitions, lost answers and crashes happen. After
//! everyone heals and syncs: every workstation equals the server; no invoice or credit note
//! number is used twice or skipped within its series; every credit note refers to an issued
//! invoice; every ledger balances (each invoice's balance as every desk works it out is what the
//! server's entries say); every cash session's expected cash is its float and its cash entries;
//! and the server refused nothing a desk was allowed to do.

use std::collections::{BTreeMap, BTreeSet};

use clinic_core::auth::Session;
use clinic_core::ops::billing::cash::{current_cash_session, open_cash_session, OpenCashSession};
use clinic_core::ops::billing::credit_notes::{issue_credit_note, CreditNoteInput};
use clinic_core::ops::billing::invoices::{finalise_invoice, invoice, save_invoice_draft, start_invoice, DraftInput, InvoiceFrom, LineInput};
use clinic_core::ops::billing::payments::{refund_payment, take_payment, PaymentInput, RefundInput};
use clinic_core::ops::billing::Method;
use clinic_core::ops::reports::{no_progress, run, Grain, Period, ReportName, ReportRequest};
use clinic_core::ops::staff::{create_staff, NewStaff};
use clinic_core::Code;
use proptest::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::desks::*;
use crate::proxy::{faults, Faults, Proxy};
use crate::server_harness::TestServer;

const DESKS: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    /// A draft started (and saved) here: other desks see it after syncing.
    Draft { desk: usize, lines: u8 },
    /// A draft this desk knows finalised here (perhaps also elsewhere, meanwhile).
    Finalise { desk: usize, draft: usize },
    Pay { desk: usize, invoice: usize, method: u8, part: u8 },
    Credit { desk: usize, invoice: usize, whole: bool },
    Refund { desk: usize, payment: usize },
    Sync { desk: usize },
    Faults { desk: usize, kind: u8 },
    Crash { desk: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let desk = 0..DESKS;
    prop_oneof![
        3 => (desk.clone(), 1..4u8).prop_map(|(desk, lines)| Step::Draft { desk, lines }),
        4 => (desk.clone(), 0..6usize).prop_map(|(desk, draft)| Step::Finalise { desk, draft }),
        4 => (desk.clone(), 0..8usize, 0..3u8, 0..3u8).prop_map(|(desk, invoice, method, part)| Step::Pay { desk, invoice, method, part }),
        1 => (desk.clone(), 0..8usize, any::<bool>()).prop_map(|(desk, invoice, whole)| Step::Credit { desk, invoice, whole }),
        1 => (desk.clone(), 0..8usize).prop_map(|(desk, payment)| Step::Refund { desk, payment }),
        4 => desk.clone().prop_map(|desk| Step::Sync { desk }),
        2 => (desk.clone(), 0..5u8).prop_map(|(desk, kind)| Step::Faults { desk, kind }),
        1 => desk.prop_map(|desk| Step::Crash { desk }),
    ]
}

struct Till {
    server: TestServer,
    desks: Vec<Desk>,
    proxies: Vec<Proxy>,
    /// Each desk's receptionist (their own) and the manager, logged in there.
    cashiers: Vec<Session>,
    managers: Vec<Session>,
}

impl Till {
    async fn new() -> Till {
        let server = TestServer::start().await;
        let org = server.organisation("Till").await;
        let first = Desk::empty().await;
        let clinic = set_up(&first).await;
        for name in ["rui", "rosa"] {
            create_staff(&first.clinic, &clinic.admin, NewStaff { full_name: format!("{name} tester"), username: name.into(),
                password: PASSWORD.into(), roles: vec!["receptionist".into()] }).await.unwrap();
        }
        let mut desks = vec![first];
        let mut proxies = Vec::new();
        for i in 0..DESKS {
            if i > 0 {
                desks.push(Desk::empty().await);
            }
            proxies.push(Proxy::start(&server.url).await);
        }
        desks[0].enrol(&proxies[0].url, &server.code(org).await, Some(&clinic.admin)).await.unwrap();
        desks[0].sync().await;
        for i in 1..DESKS {
            desks[i].enrol(&proxies[i].url, &server.code(org).await, None).await.unwrap();
        }
        let (mut cashiers, mut managers) = (Vec::new(), Vec::new());
        for (d, name) in desks.iter().zip(["rita", "rui", "rosa"]) {
            let cashier = d.log_in(name).await;
            let manager = d.log_in("marta").await;
            for s in [&cashier, &manager] {
                open_cash_session(&d.clinic, s, OpenCashSession { drawer: format!("{name}'s desk"), opening_float: "50".into() }).await.unwrap();
            }
            cashiers.push(cashier);
            managers.push(manager);
        }
        Till { server, desks, proxies, cashiers, managers }
    }

    async fn ids(&self, desk: usize, sql: &str) -> Vec<Uuid> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(self.desks[desk].clinic.store().pool()).await.unwrap()
    }

    async fn run(&mut self, step: &Step) {
        let pick = |ids: &[Uuid], n: usize| ids.get(n % ids.len().max(1)).copied();
        match *step {
            Step::Draft { desk, lines } => {
                let (c, s) = (&self.desks[desk].clinic, &self.cashiers[desk]);
                let d = start_invoice(c, s, InvoiceFrom::Counter).await.unwrap();
                let lines = (0..lines).map(|i| LineInput { description: format!("Item {i}"), item_id: None, quantity: 1 + i as i64,
                    unit_price: format!("{}.{}5", 7 + 3 * i, i), discount: if i == 1 { "5 %".into() } else { String::new() },
                    tax_rate: ["0", "6", "23"][i as usize % 3].into() }).collect();
                save_invoice_draft(c, s, d.id, DraftInput { lines, discount: String::new(), customer_name: None, service_date: None }).await.unwrap();
            }
            Step::Finalise { desk, draft } => {
                let open = self.ids(desk, "SELECT id FROM invoice_draft WHERE status = 'open' ORDER BY id").await;
                let Some(id) = pick(&open, draft) else { return };
                finalise_invoice(&self.desks[desk].clinic, &self.cashiers[desk], id).await.unwrap();
            }
            Step::Pay { desk, invoice: n, method, part } => {
                let issued = self.ids(desk, "SELECT id FROM invoice ORDER BY id").await;
                let Some(id) = pick(&issued, n) else { return };
                let (c, s) = (&self.desks[desk].clinic, &self.cashiers[desk]);
                let v = invoice(c, s, id).await.unwrap();
                if v.balance <= 0 || v.fully_credited() {
                    return;
                }
                // Part of it, all of it, or (in cash) more: change given back.
                let amount = match part { 0 => (v.balance / 2).max(1), 1 => v.balance, _ => v.balance + 1000 };
                let method = [Method::Cash, Method::Card, Method::Transfer][method as usize];
                let method = if part == 2 { Method::Cash } else { method };
                let input = PaymentInput { invoice_id: id, method, amount: format!("{}.{:02}", amount / 100, amount % 100), keep_as_credit: false, reference: None };
                take_payment(c, s, input).await.unwrap();
            }
            Step::Credit { desk, invoice: n, whole } => {
                let issued = self.ids(desk, "SELECT id FROM invoice ORDER BY id").await;
                let Some(id) = pick(&issued, n) else { return };
                let (c, s) = (&self.desks[desk].clinic, &self.managers[desk]);
                let v = invoice(c, s, id).await.unwrap();
                if v.fully_credited() {
                    return;
                }
                let lines = if whole { vec![] } else {
                    let units = clinic_core::ops::billing::view::credited_units(&v.credit_notes, v.lines.len());
                    match v.lines.iter().enumerate().find(|(i, l)| l.quantity > units[*i]) {
                        Some((line, _)) => vec![clinic_sync::money::CreditLine { line, quantity: 1 }],
                        None => return,
                    }
                };
                issue_credit_note(c, s, CreditNoteInput { invoice_id: id, lines, reason: "Not given".into() }).await.unwrap();
            }
            Step::Refund { desk, payment } => {
                let payments = self.ids(desk, "SELECT id FROM payment ORDER BY id").await;
                let Some(id) = pick(&payments, payment) else { return };
                let (c, s) = (&self.desks[desk].clinic, &self.managers[desk]);
                let invoice_id: Uuid = sqlx::query_scalar("SELECT invoice_id FROM payment WHERE id = ?").bind(id).fetch_one(c.store().pool()).await.unwrap();
                let v = invoice(c, s, invoice_id).await.unwrap();
                let refundable = v.payments.iter().find(|p| p.id == id).map_or(0, |p| p.refundable);
                if refundable < 100 {
                    return;
                }
                refund_payment(c, s, RefundInput { payment_id: id, amount: "1".into(), reason: "Overcharged".into() }).await.unwrap();
            }
            Step::Sync { desk } => self.sync(desk).await,
            Step::Faults { desk, kind } => self.proxies[desk].set(faults(kind)),
            Step::Crash { desk } => self.desks[desk].crash_and_restart().await,
        }
    }

    async fn sync(&self, desk: usize) {
        match clinic_core::sync::sync_once(&self.desks[desk].clinic, &*self.desks[desk].keys).await {
            Ok(_) => {}
            Err(e) if e.code == Code::SyncUnavailable => {}
            Err(e) => panic!("desk {desk}: {e:?}"),
        }
    }

    async fn heal_and_settle(&self) {
        for p in &self.proxies {
            p.set(Faults::default());
        }
        for _ in 0..3 {
            for d in 0..DESKS {
                self.sync(d).await;
            }
        }
    }

    /// The server's records of one kind, as their data.
    async fn on_server(&self, entity: &str) -> Vec<Value> {
        sqlx::query_scalar("SELECT data FROM record WHERE entity = $1").bind(entity).fetch_all(&self.server.server.db).await.unwrap()
    }

    async fn check(&self) {
        let first = self.desks[0].snapshot().await;
        for d in 1..DESKS {
            let diff = differences(&first, &self.desks[d].snapshot().await);
            assert!(diff.is_empty(), "desk {d} differs from desk 0:\n{}", diff.join("\n"));
        }
        let db = &self.server.server.db;
        let refused: Vec<Value> = sqlx::query_scalar("SELECT outcome FROM applied_mutation WHERE outcome->>'outcome' = 'rejected'").fetch_all(db).await.unwrap();
        assert!(refused.is_empty(), "the server refused what a desk was allowed to do: {refused:?}");

        // Numbers: none twice, none skipped, in every series.
        let invoices = self.on_server("invoice").await;
        for (kind, records) in [("invoice", invoices.clone()), ("credit_note", self.on_server("credit_note").await)] {
            let mut series: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            let mut numbers = BTreeSet::new();
            for r in &records {
                assert!(numbers.insert(r["number"].as_str().unwrap().to_string()), "{kind} number {} used twice", r["number"]);
                series.entry(r["series"].as_str().unwrap().to_string()).or_default().push(r["seq"].as_i64().unwrap());
            }
            for (name, mut seqs) in series {
                seqs.sort();
                assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "{kind} series {name} has a gap");
            }
        }
        // Every credit note refers to an issued invoice.
        let issued: BTreeSet<&str> = invoices.iter().map(|i| i["id"].as_str().unwrap()).collect();
        for note in self.on_server("credit_note").await {
            assert!(issued.contains(note["invoice_id"].as_str().unwrap()), "credit note {} refers to no issued invoice", note["number"]);
        }
        // The ledger balances: each invoice's balance, as every desk works it out, is the server's entries'.
        let sum = |records: &[Value], field: &str, invoice: &str| -> i64 {
            records.iter().filter(|r| r["invoice_id"] == invoice).map(|r| r[field].as_i64().unwrap()).sum()
        };
        let (notes, payments, refunds) = (self.on_server("credit_note").await, self.on_server("payment").await, self.on_server("refund").await);
        for i in &invoices {
            let id = i["id"].as_str().unwrap();
            let owed = i["total_minor"].as_i64().unwrap() - sum(&notes, "total_minor", id) - sum(&payments, "amount_minor", id) + sum(&refunds, "amount_minor", id);
            for d in 0..DESKS {
                let v = invoice(&self.desks[d].clinic, &self.cashiers[d], id.parse().unwrap()).await.unwrap();
                assert_eq!(v.balance, owed, "desk {d} works out invoice {} as owing {}, the server's entries {owed}", i["number"], v.balance);
                assert_eq!(v.totals.total, i["total_minor"].as_i64().unwrap(), "an invoice's lines add up to its total");
            }
        }
        for p in &payments {
            if p["method"] == "cash" {
                let (tendered, amount, change, credit) = (p["tendered_minor"].as_i64().unwrap(), p["amount_minor"].as_i64().unwrap(),
                    p["change_minor"].as_i64().unwrap(), p["credit_minor"].as_i64().unwrap());
                assert_eq!(tendered, amount + change + credit, "cash handed over is what went to the invoice, change and credit");
            }
        }
        // Every desk's reports, read from the tallies its store kept as rows came in (its own or
        // synced), add up to the server's entries: revenue in all, and what is owed.
        let everything = |report| ReportRequest { report, period: Period { from: "2020-01-01".parse().unwrap(), to: "2029-12-31".parse().unwrap() },
            grain: Grain::Month, site_id: None, practitioner_id: None };
        let all = |records: &[Value], field: &str| -> i64 { records.iter().map(|r| r[field].as_i64().unwrap()).sum() };
        let owed: i64 = invoices.iter().map(|i| {
            let id = i["id"].as_str().unwrap();
            i["total_minor"].as_i64().unwrap() - sum(&notes, "total_minor", id) - sum(&payments, "amount_minor", id) + sum(&refunds, "amount_minor", id)
        }).filter(|o| *o > 0).sum();
        for d in 0..DESKS {
            let revenue = run(&self.desks[d].clinic, &self.managers[d], everything(ReportName::Revenue), &no_progress).await.unwrap();
            let total: Vec<i64> = revenue.tables[0].total.as_ref().unwrap()[1..].iter().map(|c| c.number()).collect();
            assert_eq!([total[0], total[2], total[3], total[4]],
                [all(&invoices, "total_minor"), all(&notes, "total_minor"), all(&payments, "amount_minor"), all(&refunds, "amount_minor")],
                "desk {d}'s revenue report adds up to the server's entries");
            let outstanding = run(&self.desks[d].clinic, &self.managers[d], everything(ReportName::Outstanding), &no_progress).await.unwrap();
            assert_eq!(outstanding.table("Ageing").total.as_ref().unwrap()[2].number(), owed, "desk {d}'s outstanding invoices");
        }
        // Every drawer: expected cash is its float, plus the cash kept, less the cash refunded.
        for d in 0..DESKS {
            for s in [&self.cashiers[d], &self.managers[d]] {
                let session = current_cash_session(&self.desks[d].clinic, s).await.unwrap().unwrap();
                let cash_in: i64 = payments.iter().filter(|p| p["cash_session_id"] == session.id.to_string() && p["method"] == "cash")
                    .map(|p| p["amount_minor"].as_i64().unwrap() + p["credit_minor"].as_i64().unwrap()).sum();
                let cash_out: i64 = refunds.iter().filter(|r| r["cash_session_id"] == session.id.to_string() && r["method"] == "cash")
                    .map(|r| r["amount_minor"].as_i64().unwrap()).sum();
                assert_eq!(session.methods[0].expected, session.opening_float + cash_in - cash_out, "desk {d}'s drawer adds up");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("MONEY_MACHINE_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(8),
        max_shrink_iters: 20,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_books_balance_and_every_series_is_gapless_whatever_the_network_and_crashes_do(steps in proptest::collection::vec(step(), 15..50)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let mut till = Till::new().await;
            for s in &steps {
                till.run(s).await;
            }
            till.heal_and_settle().await;
            till.check().await;
        });
    }
}

/// The same draft finalised on two desks while they cannot see each other: both invoices stand
/// (each numbered in its own desk's series, no gap), and a person is asked to credit one.
#[tokio::test]
async fn a_draft_finalised_on_two_desks_at_once_gives_two_invoices_and_a_question() {
    let mut till = Till::new().await;
    till.run(&Step::Draft { desk: 0, lines: 2 }).await;
    till.heal_and_settle().await;
    till.proxies[0].set(faults(1));
    till.proxies[1].set(faults(1));
    till.run(&Step::Finalise { desk: 0, draft: 0 }).await;
    till.run(&Step::Finalise { desk: 1, draft: 0 }).await;
    till.heal_and_settle().await;
    till.check().await;
    let invoices = till.on_server("invoice").await;
    assert_eq!(invoices.len(), 2);
    assert_ne!(invoices[0]["series"], invoices[1]["series"]);
    let conflicts = till.on_server("sync_conflict").await;
    assert!(conflicts.iter().any(|c| c["entity"] == "invoice_draft" && c["field"] == "invoice_id"), "{conflicts:?}");
}
