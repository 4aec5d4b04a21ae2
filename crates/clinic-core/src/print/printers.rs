//! Printing on the computer's printers through CUPS, with its own command-line tools (`lpstat`
//! lists the printers, `lp` sends a job): they are on every Linux and macOS desktop that prints,
//! and speak to whatever printers the computer's owner has set up. Blocking: callers run these off
//! the async runtime. Without CUPS, or with no printer set up, the list is empty and the window
//! offers only "Save as PDF".

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Code, Error, Result};

/// How long one of CUPS's tools may take to answer.
const TOOL_TIMEOUT: Duration = Duration::from_secs(30);

/// A printer this computer knows, as CUPS names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    /// The queue's name, which `send` takes.
    pub name: String,
    /// What its owner called it ("Reception laser"); the name when they said nothing.
    pub description: String,
    /// The computer's default printer.
    pub default: bool,
}

/// The printers this computer can print on. Empty when CUPS is not installed or not running, or
/// no printer is set up (said in the log).
pub fn printers() -> Result<Vec<Printer>> {
    match listing() {
        Ok(printers) => Ok(printers),
        Err(unavailable) => {
            tracing::info!(reason = %unavailable.message, "no printers: only saving as PDF is offered");
            Ok(Vec::new())
        }
    }
}

/// Prints `pdf` on `printer`, `copies` times, under `title` (what the printer's queue shows);
/// returns the CUPS job's id ("Reception-42").
pub fn send(printer: &str, title: &str, pdf: &[u8], copies: u32) -> Result<String> {
    if !(1..=99).contains(&copies) {
        return Err(Error::invalid("copies", "Print from 1 to 99 copies."));
    }
    let known = listing()?;
    if !known.iter().any(|p| p.name == printer) {
        let choose = if known.is_empty() { "No printer is set up on it: save as PDF instead." } else { "Choose one from the list, or save as PDF." };
        return Err(Error::invalid("printer", format!("This computer does not know a printer called “{printer}”. {choose}")));
    }
    // The title is only a label in the queue: no control characters.
    let title: String = title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    // The document goes in on stdin: no file of patient data is left in a temporary folder.
    let (output, written) = run_with_input("lp", &["-d", printer, "-t", &title, "-n", &copies.to_string()], Some(pdf))?;
    if !output.status.success() || !written {
        let said = text(&output.stderr);
        let said = if said.is_empty() { text(&output.stdout) } else { said };
        let said = if said.is_empty() { "lp failed without saying why".to_string() } else { said };
        return Err(Error::new(Code::Internal, format!("The printer “{printer}” did not take the document: {said}")));
    }
    // "request id is Reception-42 (1 file(s))"
    let said = text(&output.stdout);
    said.split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .map(str::to_string)
        .ok_or_else(|| Error::new(Code::Internal, format!("The document was sent to “{printer}”, but CUPS gave no job number (it said “{said}”).")))
}

/// The printers CUPS knows, or why there are none to be had.
fn listing() -> Result<Vec<Printer>> {
    let scheduler = run("lpstat", &["-r"])?;
    if !text(&scheduler.stdout).contains("scheduler is running") {
        return Err(unavailable("the printing service (CUPS) is not running on this computer".into()));
    }
    let queues = run("lpstat", &["-l", "-p"])?;
    let default = run("lpstat", &["-d"])?;
    // "system default destination: Reception" (or "no system default destination").
    let default_name = text(&default.stdout).split_once("destination:").map(|(_, name)| name.trim().to_string());
    let mut printers: Vec<Printer> = Vec::new();
    for line in text(&queues.stdout).lines() {
        if let Some(rest) = line.strip_prefix("printer ") {
            let name = rest.split_whitespace().next().unwrap_or_default().to_string();
            let default = default_name.as_deref() == Some(name.as_str());
            printers.push(Printer { description: name.clone(), name, default });
        } else if let (Some(description), Some(printer)) = (line.trim().strip_prefix("Description:"), printers.last_mut()) {
            let description = description.trim();
            if !description.is_empty() {
                printer.description = description.to_string();
            }
        }
    }
    // Printers CUPS found on the network but has made no queue for yet (IPP Everywhere): `lp`
    // prints on them too, and makes the queue then.
    let destinations = run("lpstat", &["-e"])?;
    for name in text(&destinations.stdout).lines().map(str::trim).filter(|n| !n.is_empty()) {
        if !printers.iter().any(|p| p.name == name) {
            let default = default_name.as_deref() == Some(name);
            printers.push(Printer { name: name.to_string(), description: name.replace('_', " "), default });
        }
    }
    Ok(printers)
}

/// One of CUPS's tools, in English (its messages are parsed and quoted).
fn cups_tool(name: &str) -> Command {
    let mut command = Command::new(name);
    command.env("LC_ALL", "C").env("LANG", "C");
    command
}

fn run(tool: &str, args: &[&str]) -> Result<Output> {
    run_with_input(tool, args, None).map(|(output, _)| output)
}

/// Runs a CUPS tool with `input` on its stdin, for at most `TOOL_TIMEOUT`: the scheduler answers
/// in milliseconds, and one that hangs must not keep a receptionist waiting for ever. Says
/// whether all of `input` was taken.
fn run_with_input(tool: &str, args: &[&str], input: Option<&[u8]>) -> Result<(Output, bool)> {
    let mut child = cups_tool(tool)
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => unavailable("printing needs CUPS, which is not installed on this computer".into()),
            _ => unavailable(format!("{tool} could not be run ({e})")),
        })?;
    let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    std::thread::scope(|s| {
        // Written and read beside the wait, so neither side can block on a full pipe.
        let writer = s.spawn(move || match (stdin, input) {
            (Some(mut stdin), Some(input)) => stdin.write_all(input).is_ok(), // dropped: closed, the tool sees the end
            _ => true,
        });
        let stdout = s.spawn(move || drain(stdout));
        let stderr = s.spawn(move || drain(stderr));
        let deadline = Instant::now() + TOOL_TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(unavailable(format!("the printing service did not answer within {} seconds", TOOL_TIMEOUT.as_secs())));
                }
                Err(e) => break Err(unavailable(format!("{tool} did not finish ({e})"))),
            }
        };
        let written = writer.join().expect("the writer does not panic");
        let output = Output { status: status?, stdout: stdout.join().expect("no panic"), stderr: stderr.join().expect("no panic") };
        Ok((output, written))
    })
}

/// All a pipe gives until it is closed.
fn drain(pipe: Option<impl Read>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        let _ = pipe.read_to_end(&mut bytes);
    }
    bytes
}

fn unavailable(why: String) -> Error {
    let mut why = why;
    if let Some(first) = why.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Error::new(Code::Internal, format!("{why}. Save the document as a PDF instead, or ask whoever looks after this computer to set up printing."))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printer_is_needed_and_a_sensible_number_of_copies() {
        assert_eq!(send("Anything", "t", b"%PDF", 0).unwrap_err().field, Some("copies"));
        assert_eq!(send("Anything", "t", b"%PDF", 100).unwrap_err().field, Some("copies"));
    }
}
