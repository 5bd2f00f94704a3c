//! Amazon SNS deliveries to people: email and SMS are for alerts, and AWS holds email to a rate.

/// Email deliveries per second SNS makes for an account's topics; a subscription sent more is
/// deactivated (back to PendingConfirmation).
pub const EMAIL_DELIVERIES_PER_SECOND: f64 = 10.0;
pub const EMAIL_RATE_SOURCE: &str = "repost.aws/knowledge-center/sns-email-subscription-disabled, after docs.aws.amazon.com/general/latest/gr/sns.html (read 2026-12-05)";

/// Above this many messages per second an email or SMS subscription is no longer an alert: a
/// person cannot read them. pipe's own threshold, not AWS's.
pub const ALERTS_PER_SECOND: f64 = 1.0;

/// What a processor with no `output:` is assumed to send a topic only people read: alerts, at
/// this rate and size. pipe's assumption, said by `capacity::assumed-output`.
pub const ASSUMED_ALERTS_PER_SECOND: f64 = 1.0;
pub const ASSUMED_ALERT_KIB: f64 = 1.0;
