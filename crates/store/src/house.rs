//! The shape of this crate, checked: the building blocks in `kit` import no business area,
//! and no two modules import each other, directly or round a loop. Modules are read as text:
//! every `crate::<module>` outside a file's tests is an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `kit::db` for kit's modules, the top-level module otherwise (an area's folder is one).
fn node(module_path: &[String]) -> String {
    match module_path {
        [kit, sub, ..] if kit == "kit" => format!("kit::{sub}"),
        [first, ..] => first.clone(),
        [] => "lib".into(),
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in paths {
        let relative = path
            .strip_prefix(&src)
            .expect("under src")
            .with_extension("");
        let mut parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let from = node(&parts);
        let text = std::fs::read_to_string(&path).expect("source is readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest: Vec<String> = code[i + "crate::".len()..]
                .split("::")
                .take(2)
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect()
                })
                .collect();
            let to = node(&rest);
            if !to.is_empty() && to != from && to != "lib" {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

#[test]
fn kit_imports_no_area() {
    for (from, to) in imports() {
        if from.starts_with("kit::") {
            let areas: Vec<&String> = to.iter().filter(|t| !t.starts_with("kit::")).collect();
            assert!(areas.is_empty(), "{from} imports {areas:?}");
        }
    }
}

#[test]
fn no_module_imports_itself_round_a_loop() {
    let graph = imports();
    // Depth-first search; a module met again while still on the path closes a loop.
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(start) = path.iter().position(|p| p == at) {
            panic!("import loop: {} → {at}", path[start..].join(" → "));
        }
        if done.contains(at) {
            return;
        }
        path.push(at.to_owned());
        for next in graph.get(at).into_iter().flatten() {
            visit(graph, next, path, done);
        }
        path.pop();
        done.insert(at.to_owned());
    }
    let mut done = BTreeSet::new();
    for start in graph.keys() {
        visit(&graph, start, &mut Vec::new(), &mut done);
    }
}
