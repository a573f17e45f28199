"""Small-cell suppression for published tables, with complementary suppression so no hidden cell can be worked
out from the totals that are published beside it.

A table of counts by one or two columns is published with its totals. Every entry (cell, row total, column
total, grand total) with 0 < n < min_n is hidden (primary suppression). Each line of the table — a row with
its total, a column with its total, the row of column totals with the grand total — is an equation
`cells = total`, so a line with exactly one hidden entry gives it away: the next smallest entry of that line is
hidden too (complementary suppression; cells before totals, so totals stay published where they can).

That rule alone is not enough in two dimensions: hidden entries can still be solved when they are linked only
through one cell. Seen as a graph whose nodes are the lines and whose edges are the hidden entries (each entry
lies on one row line and one column line), an entry can be recovered exactly if and only if its edge lies on no
cycle, that is, it is a bridge (the equations' null space is spanned by the graph's cycles). So after the line
rule, every bridge is closed into a rectangle with the cheapest three other entries, until no bridge is left.
Empty cells (n = 0) are known zeros: never hidden, never counted on.

Within one table this leaves every hidden entry with at least a two-way uncertainty; tables by nested
groupings (office and province, month and quarter) published together can still be differenced, which is a
reason to publish the coarser one only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

TOTAL = "total"
Entry = tuple[str, ...]


def lines_of(rows: Sequence[str], columns: Sequence[str] | None) -> list[list[Entry]]:
    """The equations of a table with totals: entries are `(row,)` and `(TOTAL,)` for one column, else
    `(row, column)` with `TOTAL` for the margins. Each line lists its cells and then its total."""
    if columns is None:
        return [[*((row,) for row in rows), (TOTAL,)]]
    lines: list[list[Entry]] = [[*((row, column) for column in columns), (row, TOTAL)] for row in rows]
    lines += [[*((row, column) for row in rows), (TOTAL, column)] for column in columns]
    lines.append([*((TOTAL, column) for column in columns), (TOTAL, TOTAL)])
    lines.append([*((row, TOTAL) for row in rows), (TOTAL, TOTAL)])
    return lines


def _is_total(entry: Entry) -> bool:
    return TOTAL in entry


def _cost(entry: Entry, n: Mapping[Entry, int]) -> tuple[bool, int, str]:
    """Hide cells before totals, small before large (ties broken by the entry, for the same result every run)."""
    return (_is_total(entry), n.get(entry, 0), repr(entry))


def _line_rule(lines: Iterable[list[Entry]], n: Mapping[Entry, int], hidden: set[Entry]) -> bool:
    changed = False
    for line in lines:
        present = [entry for entry in line if n.get(entry, 0) > 0]
        if sum(entry in hidden for entry in present) != 1:
            continue
        candidates = [entry for entry in present if entry not in hidden]
        if candidates:
            hidden.add(min(candidates, key=lambda entry: _cost(entry, n)))
            changed = True
    return changed


def bridges(hidden: Iterable[Entry]) -> list[Entry]:
    """Hidden two-way entries whose edge (row line — column line) lies on no cycle: recoverable ones."""
    adjacency: dict[tuple[str, str], list[tuple[tuple[str, str], Entry]]] = {}
    for entry in hidden:
        row, column = ("row", entry[0]), ("column", entry[1])
        adjacency.setdefault(row, []).append((column, entry))
        adjacency.setdefault(column, []).append((row, entry))
    order: dict[tuple[str, str], int] = {}
    low: dict[tuple[str, str], int] = {}
    found: list[Entry] = []
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[tuple[str, str], Entry | None, int]] = [(root, None, 0)]
        while stack:  # iterative depth-first search (Tarjan): tables can have thousands of hidden cells
            node, via, index = stack.pop()
            if index < len(adjacency[node]):
                stack.append((node, via, index + 1))
                neighbour, entry = adjacency[node][index]
                if entry == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, entry, 0))
            elif via is not None:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.append(via)
    return found


def _close(bridge: Entry, rows: Sequence[str], columns: Sequence[str], n: Mapping[Entry, int],
           hidden: set[Entry]) -> None:  # fmt: skip
    """Hide the cheapest three entries that put `bridge` on a rectangle of hidden entries."""
    row, column = bridge
    best: tuple[tuple[int, int], list[Entry]] | None = None
    for other_row in [*rows, TOTAL]:
        if other_row == row or n.get((other_row, column), 0) == 0:
            continue
        for other_column in [*columns, TOTAL]:
            corners = [(row, other_column), (other_row, column), (other_row, other_column)]
            if other_column == column or any(n.get(corner, 0) == 0 for corner in corners):
                continue
            added: list[Entry] = [corner for corner in corners if corner not in hidden]
            cost = (sum(_is_total(corner) for corner in added), sum(n[corner] for corner in added))
            if best is None or cost < best[0]:
                best = (cost, added)
    if best is not None:
        hidden.update(best[1])


def suppress(
    n: Mapping[Entry, int], rows: Sequence[str], columns: Sequence[str] | None, min_n: int
) -> tuple[set[Entry], set[Entry]]:
    """(primary, complementary) hidden entries of a table whose entries' counts are `n` (margins included)."""
    primary = {entry for entry, count in n.items() if 0 < count < min_n}
    hidden = set(primary)
    lines = lines_of(rows, columns)
    while True:
        if _line_rule(lines, n, hidden):
            continue
        if columns is None:
            break
        found = bridges(hidden)
        if not found:
            break
        _close(found[0], rows, columns, n, hidden)
    return primary, hidden - primary
