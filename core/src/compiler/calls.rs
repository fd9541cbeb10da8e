//! The call graph: how many frames an evaluation can need.

use bumpalo::Bump;

use crate::arena_vec::{ArenaVec, NoRoom};

/// The longest chain of calls starting in block 0, where `calls` holds
/// `(caller block, callee function)` edges and function `f` is block
/// `f + 1`. `None` if the graph has a cycle reachable from block 0;
/// [`NoRoom`] if `arena` cannot hold its two lists (in the arena, not on
/// the heap: a compile allocates only there, so a dry run measures it).
pub(super) fn longest_call_chain(
    functions: usize,
    calls: &[(u32, u32)],
    arena: &Bump,
) -> Result<Option<u32>, NoRoom> {
    // No calls (nearly every expression): no chain, and no heap work.
    if calls.is_empty() {
        return Ok(Some(0));
    }
    // Longest path by relaxation: with no cycle it settles within
    // `functions + 1` rounds; still changing after that means a cycle.
    let (mut longest, mut reached) = (ArenaVec::new_in(arena), ArenaVec::new_in(arena));
    longest.try_reserve_exact(functions + 1)?;
    reached.try_reserve_exact(functions + 1)?;
    for _ in 0..=functions {
        longest.push(0u32);
        reached.push(false);
    }
    if let Some(r) = reached.first_mut() {
        *r = true;
    }
    for _ in 0..=functions + 1 {
        let mut changed = false;
        for &(from, to) in calls {
            let (from, to) = (from as usize, to as usize + 1);
            if !reached.get(from).copied().unwrap_or(false) {
                continue;
            }
            let via = longest.get(from).copied().unwrap_or(0) + 1;
            if let (Some(l), Some(r)) = (longest.get_mut(to), reached.get_mut(to)) {
                if !*r || via > *l {
                    *l = via;
                    *r = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(Some(longest.iter().copied().max().unwrap_or(0)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::longest_call_chain;
    use bumpalo::Bump;

    #[test]
    fn chains_and_cycles() {
        assert_eq!(longest_call_chain(0, &[], &Bump::new()), Ok(Some(0)));
        // main -> f0 -> f1, main -> f1
        assert_eq!(
            longest_call_chain(2, &[(0, 0), (1, 1), (0, 1)], &Bump::new()),
            Ok(Some(2))
        );
        // f0 calls itself
        assert_eq!(
            longest_call_chain(1, &[(0, 0), (1, 0)], &Bump::new()),
            Ok(None)
        );
        // a cycle main never reaches does not count
        assert_eq!(
            longest_call_chain(2, &[(0, 0), (2, 1), (2, 1)], &Bump::new()),
            Ok(Some(1))
        );
    }
}
