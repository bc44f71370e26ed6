//! Operation paths stored by reference: each node keeps its parent and depth (and an ancestor
//! near the root), never a copy of its whole path, so a trace 100,000 spans deep costs memory in
//! proportion to its nodes, not to the square of its depth. A path is written out only when
//! shown (an anomaly, a diff node in JSON), and then shortened to its first [`HEAD`] and last
//! [`TAIL`] steps around one "… N steps …" marker when it is deeper than that.
//!
//! ```text
//!   root ─ a ─ b ─ … ─ x ─ y ─ node      depth 10,000
//!   └─ HEAD steps ─┘ marker └ TAIL steps ┘
//! ```

/// Steps kept from the root's end of a long path.
pub const HEAD: usize = 4;
/// Steps kept from the node's end of a long path.
pub const TAIL: usize = 11;

/// One node's links.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Link {
    parent: Option<u32>,
    depth: u32,
    /// The ancestor at depth `HEAD - 1` (the node itself when shallower): where the head of a
    /// long path starts, found without walking the whole path.
    top: u32,
}

/// The tree of path nodes: node `i`'s parent and depth. Nodes are pushed parents first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathLinks {
    links: Vec<Link>,
}

impl PathLinks {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node under `parent` (which must have been added before; an unknown parent makes
    /// a root) and returns its index.
    pub fn push(&mut self, parent: Option<u32>) -> u32 {
        let index = self.links.len() as u32;
        let above = parent.and_then(|p| self.links.get(p as usize).copied());
        let depth = above.map_or(0, |p| p.depth.saturating_add(1));
        let top = match above {
            Some(p) if depth as usize >= HEAD => p.top,
            _ => index,
        };
        self.links.push(Link {
            parent: above.and(parent),
            depth,
            top,
        });
        index
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The node's parent.
    pub fn parent(&self, node: u32) -> Option<u32> {
        self.links.get(node as usize).and_then(|l| l.parent)
    }

    /// The node's depth (roots 0).
    pub fn depth(&self, node: u32) -> u32 {
        self.links.get(node as usize).map_or(0, |l| l.depth)
    }

    /// Up to `count` nodes from `node` towards the root, `node` first.
    fn up(&self, node: u32, count: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(count.min(self.links.len()));
        let mut at = Some(node);
        while let Some(n) = at {
            if out.len() >= count || n as usize >= self.links.len() {
                break;
            }
            out.push(n);
            at = self.parent(n);
        }
        out
    }

    /// The path from the root down to `node`, each node written by `step`: whole when it has
    /// at most `HEAD + TAIL + 1` steps, else its first `HEAD` and last `TAIL` steps with
    /// `… N steps …` between. Costs O(`HEAD + TAIL`) whatever the depth.
    pub fn path(&self, node: u32, step: impl Fn(u32) -> String) -> Vec<String> {
        let Some(link) = self.links.get(node as usize) else {
            return Vec::new();
        };
        let steps = link.depth as usize + 1;
        if steps <= HEAD + TAIL + 1 {
            return self.up(node, steps).into_iter().rev().map(step).collect();
        }
        let mut out: Vec<String> = self
            .up(link.top, HEAD)
            .into_iter()
            .rev()
            .map(&step)
            .collect();
        out.push(format!("… {} steps …", steps - HEAD - TAIL));
        out.extend(self.up(node, TAIL).into_iter().rev().map(step));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(depth: usize) -> PathLinks {
        let mut links = PathLinks::new();
        let mut parent = None;
        for _ in 0..depth {
            parent = Some(links.push(parent));
        }
        links
    }

    #[test]
    fn short_paths_are_whole() {
        let links = chain(5);
        assert_eq!(links.path(4, |n| n.to_string()), ["0", "1", "2", "3", "4"]);
        assert_eq!(links.path(0, |n| n.to_string()), ["0"]);
        assert_eq!(links.depth(4), 4);
        let edge = chain(HEAD + TAIL + 1);
        assert_eq!(
            edge.path((HEAD + TAIL) as u32, |n| n.to_string()).len(),
            HEAD + TAIL + 1
        );
    }

    #[test]
    fn deep_paths_keep_head_and_tail_in_constant_time() {
        let links = chain(100_000);
        let path = links.path(99_999, |n| n.to_string());
        assert_eq!(path.len(), HEAD + TAIL + 1);
        assert_eq!(path[..HEAD], ["0", "1", "2", "3"]);
        assert_eq!(path[HEAD], format!("… {} steps …", 100_000 - HEAD - TAIL));
        assert_eq!(path.last().map(String::as_str), Some("99999"));
        assert_eq!(path[HEAD + 1], (100_000 - TAIL).to_string());
        // Every node's path at once stays linear: no walk to the root per node.
        let total: usize = (0..100_000)
            .map(|n| links.path(n, |_| String::new()).len())
            .sum();
        assert!(total <= 100_000 * (HEAD + TAIL + 1));
    }

    #[test]
    fn an_unknown_parent_makes_a_root() {
        let mut links = PathLinks::new();
        let a = links.push(Some(7));
        assert_eq!(links.parent(a), None);
        assert_eq!(links.depth(a), 0);
        assert!(links.path(99, |n| n.to_string()).is_empty());
    }
}
