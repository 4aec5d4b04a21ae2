//! The OpenAPI 3.1 description of the server's endpoints, served at `/openapi.json`.

use serde_json::{json, Value};

fn error_responses() -> Value {
    let error = json!({"description": "{code, message}", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({"400": error, "401": error, "413": error, "429": error, "503": error})
}

pub fn document() -> Value {
    let mut push_responses = error_responses();
    push_responses["200"] = json!({"description": "One result per mutation, in device order",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushResponse"}}}});
    let mut pull_responses = error_responses();
    pull_responses["200"] = json!({"description": "Records changed after the cursor, in server order",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PullResponse"}}}});
    let mut enrol_responses = error_responses();
    enrol_responses["200"] = json!({"description": "The device token (shown once)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enrolment"}}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Clinic Desk sync server", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/health": {"get": {"summary": "The server and its database answer", "responses": {"200": {"description": "ok"}, "503": {"description": "database unreachable"}}}},
            "/metrics": {"get": {"summary": "Counters in the Prometheus text format", "responses": {"200": {"description": "counters"}}}},
            "/v1/enrol": {"post": {"summary": "Exchange a one-time enrolment code for a device token",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrolRequest"}}}},
                "responses": enrol_responses}},
            "/v1/sync/push": {"post": {"summary": "Push up to 500 outbox mutations; a replayed mutation id answers its first result",
                "security": [{"device": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}}},
                "responses": push_responses}},
            "/v1/sync/events": {"get": {"summary": "Server-sent events: `poke` when the organisation changed (pull now)",
                "security": [{"device": []}],
                "responses": {"200": {"description": "text/event-stream"}, "401": {"description": "not enrolled or revoked"}}}},
            "/v1/sync/pull": {"get": {"summary": "Records of the device's organisation changed after the cursor",
                "security": [{"device": []}],
                "parameters": [
                    {"name": "cursor", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": clinic_sync::MAX_PULL}}],
                "responses": pull_responses}},
        },
        "components": {
            "securitySchemes": {"device": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
                "EnrolRequest": {"type": "object", "required": ["code", "device_id", "device_name"], "properties": {
                    "code": {"type": "string"}, "device_id": {"type": "string", "format": "uuid"}, "device_name": {"type": "string"},
                    "clinic": {"type": ["object", "null"], "properties": {"clinic_id": {"type": "string", "format": "uuid"}, "device_number": {"type": "integer"}}}}},
                "Enrolment": {"type": "object", "properties": {"organisation_id": {"type": "string", "format": "uuid"}, "organisation_name": {"type": "string"},
                    "clinic_id": {"type": "string", "format": "uuid"}, "device_id": {"type": "string", "format": "uuid"},
                    "device_number": {"type": "integer"}, "token": {"type": "string"}}},
                "Mutation": {"type": "object", "required": ["mutation_id", "device_seq", "hlc", "at", "entity", "entity_id", "op", "changes"], "properties": {
                    "mutation_id": {"type": "string", "format": "uuid"}, "device_seq": {"type": "integer"}, "hlc": {"type": "string"},
                    "at": {"type": "integer"}, "entity": {"type": "string"}, "entity_id": {"type": "string", "format": "uuid"},
                    "op": {"enum": ["insert", "update", "delete"]},
                    "changes": {"type": "object", "additionalProperties": {"type": "object", "properties": {"old": {}, "new": {}}}},
                    "base_version": {"type": ["integer", "null"]}, "user_id": {"type": ["string", "null"], "format": "uuid"}}},
                "PushRequest": {"type": "object", "required": ["mutations"], "properties": {"mutations": {"type": "array", "maxItems": clinic_sync::MAX_PUSH, "items": {"$ref": "#/components/schemas/Mutation"}}}},
                "PushResponse": {"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
                    "mutation_id": {"type": "string", "format": "uuid"}, "outcome": {"enum": ["applied", "duplicate", "conflict", "rejected"]}}}}}},
                "PullResponse": {"type": "object", "properties": {"next_cursor": {"type": "integer"}, "has_more": {"type": "boolean"},
                    "records": {"type": "array", "items": {"type": "object", "properties": {"entity": {"type": "string"},
                        "entity_id": {"type": "string", "format": "uuid"}, "version": {"type": "integer"}, "server_seq": {"type": "integer"},
                        "data": {"type": "object"}}}}}},
            },
        },
    })
}
