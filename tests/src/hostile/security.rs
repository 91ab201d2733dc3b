//! The security inventory of valid snapshots (S1–S3).

use super::*;

impl Cases {
    /// S1–S3: the security inventory of valid snapshots.
    pub(super) fn security(&mut self) {
        self.add(
            "S1",
            "new-format-secrets",
            &["secrets-in-clear", "password-hashes"],
            "A valid 7.0.4 snapshot: secrets, tenant and agent RabbitMQ passwords in clear, user password hashes.",
            n1(),
        );
        self.add(
            "S1",
            "legacy-broker-credentials",
            &["secrets-in-clear"],
            "A valid 4.3 snapshot: broker credentials in clear in agents.json, secrets in clear in pg_data.",
            Snapshot::new(Era::L2).zip(),
        );
        self.add(
            "S2",
            "legacy-key-material",
            &["key-material"],
            "A valid 5.1.0 snapshot: ssl/*key*.pem, agent keys and rest-security.conf (which decrypts every secret).",
            l5(),
        );
        self.add(
            "S3",
            "stage-db-url",
            &["secrets-in-clear"],
            "A valid 5.0.5 snapshot whose stage/conf/app.json and composer prod.json hold database URLs with \
             passwords.",
            Snapshot::new(Era::L4).zip(),
        );
    }
}
