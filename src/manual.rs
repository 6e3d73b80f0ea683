//! `planet completions` and `planet man`: a shell completion script and a roff man page, both
//! made from the command line's own definition (clap's), so they can never disagree with it.
//!
//! Takes the binary's `clap::Command` (the definition lives with the binary) and returns bytes
//! to print. It installs nothing: where the files go differs by system (see the README).

pub use clap_complete::Shell;

/// The completion script for `shell`.
pub fn completions(mut command: clap::Command, shell: Shell) -> Vec<u8> {
    let name = command.get_name().to_owned();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut out);
    out
}

/// The man page (section 1): name, synopsis, options, and each command with its own options.
pub fn man_page(command: clap::Command) -> std::io::Result<Vec<u8>> {
    let commands = commands_section(&command);
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    let text = String::from_utf8_lossy(&page);
    let mut head = String::new();
    let mut body = String::with_capacity(text.len() + commands.len());
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with(".SH ") {
            skipping = line == ".SH SUBCOMMANDS";
            if skipping {
                body.push_str(&commands);
            }
        }
        // clap_mangen opens with a string definition for apostrophes; tools that recognise a
        // man page by its first line (`file`, indexers) want the `.TH` header there.
        let target = if line.starts_with(".TH ") {
            &mut head
        } else {
            &mut body
        };
        if !skipping {
            target.push_str(line);
            target.push('\n');
        }
    }
    head.push_str(&body);
    Ok(head.into_bytes())
}

/// Replaces clap_mangen's SUBCOMMANDS list, which points at a `planet-NAME(1)` page per
/// command: one page for all is easier to install, so each command's options are here.
fn commands_section(command: &clap::Command) -> String {
    use roff::{bold, roman, Roff};
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let args: Vec<&clap::Arg> = sub
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set())
            .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
            .collect();
        let mut usage = vec![bold(format!("{} {}", command.get_name(), sub.get_name()))];
        for arg in &args {
            let optional = !arg.is_required_set();
            usage.push(roman(if optional { " [" } else { " " }));
            usage.extend(arg_usage(arg));
            if optional {
                usage.push(roman("]"));
            }
        }
        roff.control("TP", []).text(usage);
        let about = sub.get_long_about().or(sub.get_about());
        roff.text([roman(about.map(ToString::to_string).unwrap_or_default())]);
        if args.is_empty() {
            continue;
        }
        roff.control("RS", []);
        for arg in &args {
            roff.control("TP", []).text(arg_usage(arg));
            let help = arg.get_long_help().or(arg.get_help());
            let mut help = help.map(ToString::to_string).unwrap_or_default();
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            if let Some(default) = arg.get_default_values().first() {
                help.push_str(&format!(" (default: {})", default.to_string_lossy()));
            }
            if !values.is_empty() {
                help.push_str(&format!(" (one of: {})", values.join(", ")));
            }
            roff.text([roman(help)]);
        }
        roff.control("RE", []);
    }
    roff.to_roff()
}

/// `--every DURATION`, `URL`: an argument as the synopsis shows it.
fn arg_usage(arg: &clap::Arg) -> Vec<roff::Inline> {
    let value = arg
        .get_value_names()
        .and_then(|names| names.first())
        .map(ToString::to_string)
        .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
    match arg.get_long() {
        Some(long) if arg.get_action().takes_values() => vec![
            roff::bold(format!("--{long}")),
            roff::roman(" "),
            roff::italic(value),
        ],
        Some(long) => vec![roff::bold(format!("--{long}"))],
        None => vec![roff::italic(value)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum as _;

    fn command() -> clap::Command {
        clap::Command::new("planet")
            .about("a feed aggregator")
            .subcommand(clap::Command::new("run").about("fetch and publish"))
            .subcommand(clap::Command::new("serve").about("serve the output"))
    }

    #[test]
    fn every_shell_gets_a_script_naming_the_subcommands() {
        for shell in Shell::value_variants() {
            let script = String::from_utf8(completions(command(), *shell)).unwrap();
            for sub in ["run", "serve"] {
                assert!(script.contains(sub), "{shell}: no `{sub}` in {script}");
            }
        }
    }

    #[test]
    fn the_man_page_is_roff_naming_the_subcommands() {
        let page = String::from_utf8(man_page(command()).unwrap()).unwrap();
        assert!(page.starts_with(".TH planet 1 "), "{page}");
        assert_eq!(page.matches(".TH ").count(), 1, "{page}");
        assert!(
            page.contains(".ds Aq"),
            "the apostrophe definition stays: {page}"
        );
        assert!(page.contains("planet serve"), "{page}");
        assert!(
            !page.contains("planet\\-serve(1)"),
            "no pointer to pages we lack: {page}"
        );
    }
}
