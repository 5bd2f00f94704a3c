//! Recorded conversations with AWS, replayed to the providers for the operations the local moto
//! server lacks (MSK broker and topic updates, Glue UpdateJob): a tiny HTTP server on 127.0.0.1
//! answers each request with the next recorded response, after checking that the request is the
//! one recorded. The real SDK serialises every request and parses every response, so a wrong path,
//! field name or call order fails the test; only the network is replaced.
//!
//! A conversation is a JSON file under `tests/recorded/`: `exchanges`, in order, each a `request`
//! (`method`, `path` with its query, percent-decoded; `target` for JSON-1.1 services; `body`, the
//! whole JSON body, absent when there is none; or, for query-protocol services such as
//! CloudFormation, `params`: form parameters that must be there with these values; a value
//! `<any:NAME>` takes whatever the first request sends, and later ones must send the same) and a
//! `response` (`status`, `body`: JSON, or a string sent as XML).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kafka::config::{Credentials, SharedCredentialsProvider};
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::provider::Clients;
use crate::backend::aws::Account;

#[derive(Debug, Deserialize)]
struct Conversation {
    exchanges: VecDeque<Exchange>,
}

#[derive(Debug, Deserialize)]
struct Exchange {
    request: Expected,
    response: Response,
}

#[derive(Debug, Deserialize)]
struct Expected {
    method: String,
    path: String,
    target: Option<String>,
    #[serde(default)]
    body: Value,
    params: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
struct Response {
    status: u16,
    #[serde(default)]
    body: Value,
}

#[derive(Default)]
struct Transcript {
    remaining: VecDeque<Exchange>,
    mismatches: Vec<String>,
    /// What each `<any:NAME>` parameter was first sent as.
    bound: std::collections::HashMap<String, Value>,
}

/// A replay server with clients pointed at it.
pub struct Replay {
    pub clients: Clients,
    /// Where the clients point, for code that builds its own.
    pub account: Account,
    transcript: Arc<Mutex<Transcript>>,
}

impl Replay {
    /// Serves the conversation in `recorded` (the text of a `tests/recorded/` file).
    pub async fn start(recorded: &str) -> Replay {
        // A mismatch must fail at once, not be retried into the next recorded answer.
        Replay::serve(recorded, aws_config::retry::RetryConfig::disabled()).await
    }

    /// As `start`, with the SDK's own retry of a transient answer (a 500), tried twice at most:
    /// for conversations that record one.
    pub async fn start_retrying(recorded: &str) -> Replay {
        let retry = aws_config::retry::RetryConfig::standard()
            .with_max_attempts(2)
            .with_initial_backoff(std::time::Duration::from_millis(10));
        Replay::serve(recorded, retry).await
    }

    async fn serve(recorded: &str, retry: aws_config::retry::RetryConfig) -> Replay {
        let conversation: Conversation = serde_json::from_str(recorded).expect("a recorded conversation");
        let transcript =
            Arc::new(Mutex::new(Transcript { remaining: conversation.exchanges, ..Transcript::default() }));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().expect("bound"));
        let served = Arc::clone(&transcript);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&served)));
            }
        });
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::v2026_01_12())
            .region(Region::new("eu-west-1"))
            .endpoint_url(endpoint)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKID", "secret", None, None, "replay",
            )))
            .retry_config(retry)
            .build();
        let account =
            Account { config, id: "123456789012".into(), region: "eu-west-1".into(), partition: "aws".into() };
        Replay { clients: Clients::new(account.clone()), account, transcript }
    }

    /// Fails unless every recorded request came, in order, and nothing else did.
    pub fn finish(self) {
        let transcript = self.transcript.lock().expect("transcript");
        let unsent: Vec<String> =
            transcript.remaining.iter().map(|e| format!("{} {}", e.request.method, e.request.path)).collect();
        assert!(
            transcript.mismatches.is_empty(),
            "requests not in the recording:\n{}",
            transcript.mismatches.join("\n")
        );
        assert!(unsent.is_empty(), "recorded requests never sent:\n{}", unsent.join("\n"));
    }
}

struct Request {
    method: String,
    path: String,
    target: Option<String>,
    body: Value,
}

async fn serve(stream: TcpStream, transcript: Arc<Mutex<Transcript>>) {
    let mut stream = BufReader::new(stream);
    while let Some(request) = read_request(&mut stream).await {
        let (status, body) = answer(&transcript, &request);
        let (body, kind) = match body {
            Value::String(xml) => (xml, "text/xml"),
            json => (json.to_string(), "application/json"),
        };
        let head =
            format!("HTTP/1.1 {status} Replayed\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\r\n", body.len());
        if stream.get_mut().write_all(format!("{head}{body}").as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The next recorded response when `request` is the next recorded request; otherwise an error
/// the SDK reports, and a mismatch `finish` reports.
fn answer(transcript: &Mutex<Transcript>, request: &Request) -> (u16, Value) {
    let mut transcript = transcript.lock().expect("transcript");
    let heard = format!("{} {} {}", request.method, request.path, request.body);
    let mut binding = Vec::new();
    let matches = transcript.remaining.front().is_some_and(|next| {
        next.request.method == request.method
            && next.request.path == request.path
            && next.request.target.as_ref().is_none_or(|t| Some(t) == request.target.as_ref())
            && match &next.request.params {
                Some(params) => params.iter().all(|(key, value)| {
                    let sent = request.body.get(key);
                    match value.as_str().and_then(|v| v.strip_prefix("<any:")).and_then(|v| v.strip_suffix('>')) {
                        Some(name) => sent.is_some_and(|sent| {
                            binding.push((name.to_string(), sent.clone()));
                            transcript.bound.get(name).is_none_or(|first| first == sent)
                        }),
                        None => sent == Some(value),
                    }
                }),
                None => request.body == next.request.body,
            }
    });
    if matches {
        for (name, value) in binding {
            transcript.bound.entry(name).or_insert(value);
        }
    }
    if !matches {
        let expected = transcript.remaining.front().map_or("nothing more".to_string(), |next| {
            format!("{} {} {}", next.request.method, next.request.path, next.request.body)
        });
        transcript.mismatches.push(format!("heard    {heard}\nexpected {expected}"));
        return (400, serde_json::json!({ "__type": "ReplayMismatch", "message": heard }));
    }
    let exchange = transcript.remaining.pop_front().expect("matched");
    (exchange.response.status, exchange.response.body)
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    stream.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = percent_encoding::percent_decode_str(parts.next()?).decode_utf8_lossy().into_owned();
    let (mut length, mut target, mut form) = (0, None, false);
    loop {
        let mut header = String::new();
        stream.read_line(&mut header).await.ok().filter(|n| *n > 0)?;
        let Some((name, value)) = header.trim_end().split_once(':') else { break };
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "x-amz-target" => target = Some(value.trim().to_string()),
            "content-type" => form = value.contains("x-www-form-urlencoded"),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    let body = if body.is_empty() {
        Value::Null
    } else if form {
        form_parameters(&String::from_utf8_lossy(&body))
    } else {
        serde_json::from_slice(&body).ok()?
    };
    Some(Request { method, path, target, body })
}

/// `a=1&b=x%20y` as `{"a": "1", "b": "x y"}`.
fn form_parameters(body: &str) -> Value {
    let decode =
        |text: &str| percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned();
    Value::Object(
        body.split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(key, value)| (decode(key), Value::String(decode(value))))
            .collect(),
    )
}
