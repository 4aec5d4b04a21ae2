//! Writing what a batch changed, in bulk: the records, the change log, the answers.

use std::collections::HashSet;

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Batch;
use crate::error::ApiResult;

impl Batch<'_> {
    /// Writes what the batch changed, in bulk.
    pub(super) async fn write(self, conn: &mut PgConnection, outcomes: &[(Uuid, Value)]) -> ApiResult<()> {
        let org = self.auth.org_id;
        if self.chain_moved {
            let (seq, hash) = &self.chain_head;
            sqlx::query!(
                "INSERT INTO audit_head (org_id, device_id, seq, hash) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (org_id, device_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
                org, self.auth.device_id, seq, hash,
            ).execute(&mut *conn).await?;
        }
        for (seq, reason) in &self.chain_breaks {
            sqlx::query!("INSERT INTO audit_break (org_id, device_id, seq, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                org, self.auth.device_id, seq, reason).execute(&mut *conn).await?;
        }
        let mut seen = HashSet::new();
        let (mut entities, mut ids, mut versions, mut seqs, mut datas, mut fields) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        for key in self.touched.iter().rev() {
            if seen.insert(key.clone()) {
                let rec = &self.records[key];
                entities.push(key.0.clone());
                ids.push(key.1);
                versions.push(rec.version);
                seqs.push(rec.server_seq);
                datas.push(Value::Object(rec.data.clone()));
                fields.push(Value::Object(rec.fields.clone()));
            }
        }
        sqlx::query!(
            "INSERT INTO record (org_id, entity, entity_id, version, server_seq, data, fields)
             SELECT $1, * FROM UNNEST($2::text[], $3::uuid[], $4::bigint[], $5::bigint[], $6::jsonb[], $7::jsonb[])
             ON CONFLICT (org_id, entity, entity_id) DO UPDATE
             SET version = EXCLUDED.version, server_seq = EXCLUDED.server_seq, data = EXCLUDED.data, fields = EXCLUDED.fields",
            org, &entities, &ids, &versions, &seqs, &datas, &fields,
        )
        .execute(&mut *conn).await?;

        let log = &self.log;
        // Ids a change may lack (`Option`) are sent as nulls in their array: `as _` lets them through.
        sqlx::query!(
            "INSERT INTO change_log (org_id, device_id, server_seq, entity, entity_id, version, mutation_id, user_id, hlc, changes, signature,
                                     made_at, op, base_version)
             SELECT $1, $2, * FROM UNNEST($3::bigint[], $4::text[], $5::uuid[], $6::bigint[], $7::uuid[], $8::uuid[], $9::text[], $10::jsonb[],
                                          $11::text[], $12::bigint[], $13::text[], $14::bigint[])",
            org, self.auth.device_id,
            &log.iter().map(|l| l.server_seq).collect::<Vec<_>>(),
            &log.iter().map(|l| l.entity.clone()).collect::<Vec<_>>(),
            &log.iter().map(|l| l.entity_id).collect::<Vec<_>>(),
            &log.iter().map(|l| l.version).collect::<Vec<_>>(),
            &log.iter().map(|l| l.mutation_id).collect::<Vec<_>>() as _,
            &log.iter().map(|l| l.user_id).collect::<Vec<_>>() as _,
            &log.iter().map(|l| l.hlc.clone()).collect::<Vec<_>>(),
            &log.iter().map(|l| l.changes.clone()).collect::<Vec<_>>(),
            &log.iter().map(|l| l.signature.clone()).collect::<Vec<_>>() as _,
            &log.iter().map(|l| l.made_at).collect::<Vec<_>>(),
            &log.iter().map(|l| l.op).collect::<Vec<_>>() as _,
            &log.iter().map(|l| l.base_version).collect::<Vec<_>>() as _,
        )
        .execute(&mut *conn).await?;

        sqlx::query!(
            "INSERT INTO applied_mutation (org_id, device_id, mutation_id, outcome)
             SELECT $1, $2, * FROM UNNEST($3::uuid[], $4::jsonb[])",
            org, self.auth.device_id,
            &outcomes.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            &outcomes.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>(),
        )
        .execute(&mut *conn).await?;
        Ok(())
    }
}
