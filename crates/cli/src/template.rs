//! `nedra template`: deposit-model templates, and the critical-minerals table that proposes
//! them by commodity.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{bail, Result};
use nedra_engine::commodities::{commodities, Commodity, List};
use nedra_engine::templates::{self, Template};

/// Prints the template list, one template (by exact name or unique prefix), one commodity's
/// lists, deposit models and templates, or the commodity table.
pub fn run(name: Option<&str>, commodity: Option<&str>, list_commodities: bool) -> Result<()> {
    let text = match (name, commodity) {
        _ if list_commodities => commodity_table(),
        (Some(n), _) => templates::find(n)?.text.to_string(),
        (None, Some(c)) => for_commodity(c)?,
        (None, None) => template_lines(templates::TEMPLATES.iter()),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn template_lines<'a>(list: impl Iterator<Item = &'a Template>) -> String {
    let mut out = String::new();
    for t in list {
        let _ = writeln!(out, "{:<27} {}", t.name, t.description);
    }
    out
}

/// One commodity's block: symbol, name, rare-earth group, lists, deposit models, templates.
fn commodity_block(out: &mut String, c: &Commodity) {
    let group = match commodities().rare_earth_group(c.symbol()) {
        Some("separate") => " (rare earth, in neither group)".to_string(),
        Some(g) => format!(" ({g} rare earth)"),
        None => String::new(),
    };
    let _ = writeln!(out, "{}  {}{group}", c.symbols.join(", "), c.name);
    for list in List::ALL {
        if let Some(entry) = c.entry(list) {
            let _ = writeln!(out, "    {}: {entry}", list.title());
        }
    }
    let _ = writeln!(out, "    deposit models: {}", c.deposit_models.join("; "));
}

fn for_commodity(query: &str) -> Result<String> {
    let table = commodities();
    let found = table.lookup(query);
    if found.is_empty() {
        bail!(
            "no commodity {query:?}: give an element symbol (Nb), a name (niobium), a list's entry (\"platinum group metals\") or REE, LREE, HREE; `nedra template --list-commodities` lists them"
        );
    }
    let mut out = String::new();
    for c in &found {
        commodity_block(&mut out, c);
    }
    let proposed = table.templates_for(&found);
    if proposed.is_empty() {
        let _ = writeln!(
            out,
            "\nNo nedra template for {query} yet: the deposit models above say what to map."
        );
    } else {
        let _ = writeln!(out, "\nTemplates for {query}:");
        out.push_str(&template_lines(proposed.into_iter()));
        let _ = writeln!(out, "Print one with `nedra template NAME > project.toml`.");
    }
    Ok(out)
}

fn commodity_table() -> String {
    let table = commodities();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8}{:<18}{:<6}{:<5}{:<7}{:<7}templates",
        "symbol", "commodity", "USGS", "EU", "EU-S", "REE"
    );
    for c in &table.commodities {
        let mark = |list| if c.entry(list).is_some() { "x" } else { "" };
        let ree = match table.rare_earth_group(c.symbol()) {
            Some("light") => "LREE",
            Some("heavy") => "HREE",
            Some(_) => "Sc",
            None => "",
        };
        let line = format!(
            "{:<8}{:<18}{:<6}{:<5}{:<7}{:<7}{}",
            c.symbols.join(","),
            c.name,
            mark(List::Usgs2022),
            mark(List::Eu2023),
            mark(List::Eu2023Strategic),
            ree,
            c.templates.join(", ")
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out);
    for list in List::ALL {
        let _ = writeln!(
            out,
            "{:<5} {} ({} entries): {}",
            match list {
                List::Usgs2022 => "USGS",
                List::Eu2023 => "EU",
                List::Eu2023Strategic => "EU-S",
            },
            list.title(),
            table.entries(list).len(),
            list.citation()
        );
    }
    let _ = writeln!(
        out,
        "REE   light La–Eu, heavy Gd–Lu and Y, Sc apart (Van Gosen et al. 2017, USGS Prof. Paper 1802-O)"
    );
    out
}
