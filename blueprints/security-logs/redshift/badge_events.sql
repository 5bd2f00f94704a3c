-- Whitepaper scenario 2 (ABC2Badge): badge sensor transactions for the security team.
--
-- The badge servers write CSV lines in this column order:
--   event_time, badge_id, door_id, site, result, reason, sensor_id
-- The Kinesis Agent converts each line to JSON with these names (CSVTOJSON), Firehose stages
-- batches in S3 and runs COPY ... JSON 'auto' into this table.

CREATE TABLE IF NOT EXISTS badge_events (
    event_time  TIMESTAMP    NOT NULL ENCODE az64,
    badge_id    VARCHAR(32)  NOT NULL ENCODE zstd,
    door_id     VARCHAR(32)  NOT NULL ENCODE zstd,
    site        VARCHAR(64)  NOT NULL ENCODE zstd,
    result      VARCHAR(8)   NOT NULL ENCODE zstd,  -- granted | denied
    reason      VARCHAR(64)           ENCODE zstd,  -- why access was denied, empty when granted
    sensor_id   VARCHAR(32)  NOT NULL ENCODE zstd
)
DISTKEY (badge_id)
SORTKEY (event_time);

-- Denied attempts per badge in the last hour: repeated denials suggest a lost or cloned badge.
-- SELECT badge_id, COUNT(*) AS denials, MIN(event_time) AS first_seen, MAX(event_time) AS last_seen
-- FROM badge_events
-- WHERE result = 'denied' AND event_time > DATEADD(hour, -1, GETDATE())
-- GROUP BY badge_id HAVING COUNT(*) >= 3 ORDER BY denials DESC;

-- After-hours access granted outside 07:00-20:00 in the last day.
-- SELECT site, door_id, badge_id, event_time
-- FROM badge_events
-- WHERE result = 'granted' AND event_time > DATEADD(day, -1, GETDATE())
--   AND (DATE_PART(hour, event_time) < 7 OR DATE_PART(hour, event_time) >= 20)
-- ORDER BY event_time;

-- Doors with the most denials today, per site.
-- SELECT site, door_id, COUNT(*) AS denials
-- FROM badge_events
-- WHERE result = 'denied' AND event_time >= TRUNC(GETDATE())
-- GROUP BY site, door_id ORDER BY denials DESC LIMIT 20;
