//! Ctrl-C and SIGTERM during a run that must stop cleanly (apply, destroy): the first signal asks
//! the run to stop, which abandons calls in flight and releases the lock; a second ends the process
//! at once.

use std::io::Write;

use tokio::sync::watch;

use crate::backend::{Stop, StopSignal};

const INTERRUPT: Stop = Stop { signal: "SIGINT", exit_code: 130 };
#[cfg(unix)]
const TERMINATE: Stop = Stop { signal: "SIGTERM", exit_code: 143 };

/// Listens for the signals from now on; the run hears them through the receiver. Call inside
/// the runtime.
pub fn listen() -> std::io::Result<StopSignal> {
    let (ask, heard) = watch::channel(None);
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::spawn(async move {
        let mut asked: Option<Stop> = None;
        loop {
            #[cfg(unix)]
            let stop = tokio::select! {
                _ = tokio::signal::ctrl_c() => INTERRUPT,
                _ = terminate.recv() => TERMINATE,
            };
            #[cfg(not(unix))]
            let stop = match tokio::signal::ctrl_c().await {
                Ok(()) => INTERRUPT,
                Err(_) => return,
            };
            let mut stderr = std::io::stderr();
            if let Some(first) = asked {
                let _ = writeln!(stderr, "\n{}: stopping at once (an SDK run's lock expires by itself)", stop.signal);
                std::process::exit(i32::from(first.exit_code));
            }
            let _ = writeln!(stderr, "\n{}: stopping: abandoning calls in flight (again to stop at once)", stop.signal);
            asked = Some(stop);
            let _ = ask.send(Some(stop));
        }
    });
    Ok(heard)
}
