"""A day's visits in route order: the shortest open path from a start through every stop.

The plan (issue 12) routes the customers that have lat/lon by great-circle distance
(:func:`haversine_km`); :func:`route` returns the visiting order of the stops and the length.
The path is open: index 0 is the start (fixed), the day ends at whichever stop is last.

* Up to :data:`EXACT_UP_TO` stops the order is exact (Held–Karp dynamic programming over subsets,
  O(n² 2ⁿ): 12 stops are ~50,000 states).
* Beyond that (:func:`heuristic`): many starts, each brought to a local optimum by 2-opt
  (reverse a stretch) and Or-opt (move a run of 1–3 stops elsewhere, either way round): plain
  nearest neighbour, nearest neighbour from each of the few stops closest to the start
  (multi-start), and, up to :data:`FULL_UP_TO` stops, thirty randomized nearest neighbours
  (each step to one of the three nearest stops). Then the best few are improved further by an
  iterated local search: double-bridge kicks (cut the path in four, swap the middle two
  pieces), each followed by the same local search, kept when no longer. The random choices
  come from a generator seeded by the number of stops, so the same input always gives the
  same order. Never longer than the plain nearest-neighbour path, which is one of the starts.

The local search uses neighbour lists (every stop up to :data:`FULL_UP_TO` stops, so that a
complete search there misses no improving move: ``tests/cache/test_route.py`` checks
:func:`improve` by brute force). Measured (issue 12) on random days of six shapes (a town,
districts, a far start, a street grid, the country, repeated places): on 8–12 stops it found
the exact optimum on each of 4,000 days; on 13–25 stops it was worse than the best of 20
random restarts of the same local search on 10 days of 10,000, by at most 0.57%.

Pure functions on a distance matrix (``dist[i][j]``, index 0 the start), no I/O: the laptop plans
offline, and ``bench/plan.py`` times it beside plain nearest neighbour.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import NamedTuple

EXACT_UP_TO = 12
"""The most stops the exact solver takes (Held–Karp); more go to the heuristics."""

STARTS = 6
"""How many nearest-neighbour starts the heuristic tries (the stops nearest the start)."""

NEIGHBOURS = 12
"""The moves tried for a stop reconnect it to one of its this many nearest stops (a neighbour
list: a pass is O(n·K), not O(n²), so 200 stops stay well under a second)."""

FULL_UP_TO = 40
"""Up to this many stops every stop is a neighbour (a full 2-opt and Or-opt), and the search
is a wide one (:data:`SHORT_EFFORT`); beyond, a long one (:data:`LONG_KICKS`)."""

RANDOM_WIDTH = 3
"""A randomized nearest-neighbour start goes each time to one of this many nearest stops."""


class Effort(NamedTuple):
    """How hard :func:`heuristic` searches: ``random_starts`` randomized nearest-neighbour
    starts (besides the :data:`STARTS` plain ones), each brought to a local optimum; the best
    ``runs`` of all the starts each improved further by ``kicks`` double-bridge kicks that swap
    pieces of at most ``span`` stops."""

    random_starts: int
    runs: int
    kicks: int
    span: int


SHORT_EFFORT = Effort(random_starts=30, runs=3, kicks=10, span=8)
"""Up to :data:`FULL_UP_TO` stops: many starts, short kick runs. On days of 13–25 stops, where
a local optimum from a random order is the best one in as few as one case in twenty, many
different starts find it far more often than long kick runs from a few (measured: a single
run of 150 kicks a third as often as this, at the same cost)."""

LONG_KICKS = 1000
"""Kicks in the single run beyond :data:`FULL_UP_TO` stops (at 200 stops more bring < 1%)."""

KICK_WORK = 400_000
"""Beyond 400 stops, ``KICK_WORK // n`` kicks (at least :data:`MIN_KICKS`)."""

MIN_KICKS = 100

KICK_SPAN = 30
"""The longest of the two pieces a double-bridge kick swaps on a long day (kicks stay local on
long paths)."""

EARTH_KM = 6371.0088

Matrix = Sequence[Sequence[float]]

_EPS = 1e-9
"""A move counts only if it saves more than this (km): no cycling on rounding, nor on ties."""


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance in km between two (lat, lon) points in degrees."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_matrix(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    """``dist[i][j]`` in km between every two of ``points`` (index 0: the start); symmetric,
    each pair computed once."""
    sin, asin, sqrt = math.sin, math.asin, math.sqrt
    rad = [(math.radians(lat), math.radians(lon)) for lat, lon in points]
    cos = [math.cos(lat) for lat, _ in rad]
    size = len(points)
    dist = [[0.0] * size for _ in range(size)]
    for i in range(size):
        lat1, lon1 = rad[i]
        cos1, row = cos[i], dist[i]
        for j in range(i + 1, size):
            lat2, lon2 = rad[j]
            h = sin((lat2 - lat1) / 2) ** 2 + cos1 * cos[j] * sin((lon2 - lon1) / 2) ** 2
            row[j] = dist[j][i] = 2 * EARTH_KM * asin(min(1.0, sqrt(h)))
    return dist


def path_length(dist: Matrix, order: Sequence[int]) -> float:
    """The length of the path from the start (0) through ``order`` (stop indexes 1…n)."""
    total, here = 0.0, 0
    for stop in order:
        total += dist[here][stop]
        here = stop
    return total


def route(dist: Matrix) -> tuple[list[int], float]:
    """The visiting order of stops 1…n of ``dist`` from the start 0, and its length."""
    n = len(dist) - 1
    if n <= 0:
        return [], 0.0
    if n <= EXACT_UP_TO:
        return held_karp(dist)
    return heuristic(dist)


def held_karp(dist: Matrix) -> tuple[list[int], float]:
    """The exact shortest open path from 0 through every stop (n ≤ ~15 in practice)."""
    n = len(dist) - 1
    if n <= 0:
        return [], 0.0
    full = (1 << n) - 1
    inf = math.inf
    # cost[mask][j]: the shortest path from 0 through the stops of mask, ending at stop j+1
    cost = [[inf] * n for _ in range(full + 1)]
    back = [[-1] * n for _ in range(full + 1)]
    for j in range(n):
        cost[1 << j][j] = dist[0][j + 1]
    to = [[dist[j + 1][k + 1] for j in range(n)] for k in range(n)]
    for mask in range(1, full + 1):
        row = cost[mask]
        ends = [j for j in range(n) if mask >> j & 1 and row[j] < inf]
        if not ends:
            continue
        for k in range(n):
            if mask >> k & 1:
                continue
            bigger = mask | 1 << k
            best, via = cost[bigger][k], back[bigger][k]
            to_k = to[k]
            for j in ends:
                value = row[j] + to_k[j]
                if value < best:
                    best, via = value, j
            cost[bigger][k], back[bigger][k] = best, via
    last = min(range(n), key=lambda j: cost[full][j])
    length = cost[full][last]
    order, mask, j = [], full, last
    while j != -1:
        order.append(j + 1)
        j, mask = back[mask][j], mask & ~(1 << j)
    order.reverse()
    return order, length


def nearest_neighbour(dist: Matrix, first: int | None = None) -> list[int]:
    """From the start, always to the nearest stop not yet visited (``first``: go there first)."""
    left = set(range(1, len(dist)))
    order: list[int] = []
    here = 0
    if first is not None:
        left.discard(first)
        order.append(first)
        here = first
    while left:
        here = min(left, key=dist[here].__getitem__)
        left.discard(here)
        order.append(here)
    return order


def heuristic(dist: Matrix, starts: int = STARTS, effort: Effort | None = None
              ) -> tuple[list[int], float]:
    """The order by local search from many starts: plain nearest neighbour; nearest neighbour
    from each of the ``starts`` stops nearest the start; ``effort.random_starts`` randomized
    nearest neighbours (each step to one of the :data:`RANDOM_WIDTH` nearest stops left). Each
    is brought to a local optimum of 2-opt and Or-opt; the best ``effort.runs`` of them are then
    improved by an iterated local search of ``effort.kicks`` kicks. The default effort depends
    on the number of stops (:func:`search_effort`). Deterministic: the random generator is
    seeded by the number of stops. Never longer than plain nearest neighbour."""
    n = len(dist) - 1
    if n <= 0:
        return [], 0.0
    plain = nearest_neighbour(dist)
    best, best_length = plain, path_length(dist, plain)
    if n == 1:
        return best, best_length
    effort = effort or search_effort(n)
    ext = _with_end(dist)
    near = _neighbour_lists(ext)
    end = n + 1
    rng = random.Random(n)

    found: list[tuple[float, list[int]]] = []
    seen: set[tuple[int, ...]] = set()

    def start_from(order: list[int], complete: bool) -> None:
        path = [0, *order, end]
        _local_search(ext, path, near, path, complete=complete)
        if tuple(path) not in seen:
            seen.add(tuple(path))
            found.append((path_length(dist, path[1:-1]), path))

    start_from(plain, True)
    nearest = sorted(range(1, n + 1), key=lambda stop: (dist[0][stop], stop))[:starts]
    for first in nearest:
        if first != plain[0]:
            start_from(_nearest_neighbour_listed(dist, near, first), False)
    for _ in range(effort.random_starts):
        start_from(_randomized_nearest_neighbour(dist, near, rng), False)
    found.sort(key=lambda item: item[0])  # stable: equal lengths keep the order they came in
    for _, path in found[:max(1, effort.runs)]:
        _local_search(ext, path, near, path)  # the quick starts made complete
        if n >= 4 and effort.kicks > 0:
            path = _kicked(ext, path, near, effort.kicks, rng, effort.span)
        length = path_length(dist, path[1:-1])
        if length < best_length - _EPS:
            best, best_length = path[1:-1], length
    return best, best_length


def search_effort(n: int) -> Effort:
    """How hard the heuristic searches for ``n`` stops: up to :data:`FULL_UP_TO` stops
    :data:`SHORT_EFFORT`; beyond, the plain starts only and one run of up to
    :data:`LONG_KICKS` kicks, fewer beyond :data:`KICK_WORK` / n so that thousands of stops
    still take seconds, not minutes."""
    if n <= FULL_UP_TO:
        return SHORT_EFFORT
    return Effort(random_starts=0, runs=1, kicks=max(MIN_KICKS, min(LONG_KICKS, KICK_WORK // n)),
                  span=KICK_SPAN)


def _randomized_nearest_neighbour(dist: Matrix, near: list[list[int]],
                                  rng: random.Random) -> list[int]:
    """From the start, each time to one of the :data:`RANDOM_WIDTH` nearest stops not yet
    visited, chosen at random (by the neighbour lists; a scan of all the others when the list
    holds too few)."""
    left = set(range(1, len(dist)))
    order: list[int] = []
    here = 0
    while left:
        nearby = []
        for stop in near[here]:
            if stop in left:
                nearby.append(stop)
                if len(nearby) == RANDOM_WIDTH:
                    break
        if len(nearby) < min(RANDOM_WIDTH, len(left)):
            row = dist[here]
            nearby = sorted(left, key=lambda stop: (row[stop], stop))[:RANDOM_WIDTH]
        here = nearby[rng.randrange(len(nearby))]
        left.discard(here)
        order.append(here)
    return order


def _nearest_neighbour_listed(dist: Matrix, near: list[list[int]], first: int) -> list[int]:
    """Nearest neighbour from ``first`` by the neighbour lists (O(n·K) while one of a stop's
    listed neighbours is still to visit, a scan of all the others only when none is)."""
    size = len(dist)
    left = set(range(1, size))
    left.discard(first)
    order = [first]
    here = first
    while left:
        here = next((stop for stop in near[here] if stop in left), -1)
        if here < 0:
            here = min(left, key=dist[order[-1]].__getitem__)
        left.discard(here)
        order.append(here)
    return order


def improve(dist: Matrix, order: list[int]) -> list[int]:
    """``order`` made shorter by 2-opt and Or-opt moves until neither finds one (a local optimum)."""
    if len(order) < 2:
        return list(order)
    ext = _with_end(dist)
    path = [0, *order, len(dist)]
    _local_search(ext, path, _neighbour_lists(ext), path)
    return path[1:-1]


# ------------------------------------------------------------------ the local search
#
# The open path is held as ``path = [0, stop, …, stop, END]`` with END = n+1 a sentinel at
# distance 0 from every stop (``_with_end``): the free end becomes an ordinary fixed end, and a
# move that changes which stop is last is an ordinary move ending at END. Neither 0 nor END
# ever moves. ``where[stop]`` is the stop's position in ``path``, kept up to date by every move
# (only the stretch a move touches is renumbered).


def _with_end(dist: Matrix) -> list[list[float]]:
    """``dist`` with the sentinel END (index n+1) added at distance 0 from every point."""
    size = len(dist)
    ext = [[*row, 0.0] for row in dist]
    ext.append([0.0] * (size + 1))
    return ext


def _neighbour_lists(ext: list[list[float]]) -> list[list[int]]:
    """For each point, the others nearest first (all of them up to :data:`FULL_UP_TO` stops,
    else :data:`NEIGHBOURS` and END). END's own list is empty: END never moves."""
    size = len(ext)
    end = size - 1
    keep = size if size - 2 <= FULL_UP_TO else NEIGHBOURS + 1
    near = []
    for i in range(end):
        row = ext[i]
        others = sorted(range(end), key=row.__getitem__)
        listed = [end, *(j for j in others[:keep + 1] if j != i)][:keep]
        near.append(listed)
    near.append([])
    return near


def _local_search(ext: list[list[float]], path: list[int], near: list[list[int]],
                  todo: list[int], complete: bool = True) -> float:
    """Apply improving 2-opt and Or-opt moves around the points of ``todo`` (and around every
    point a move touches) until none is left; ``complete``: then around every point again
    until a whole pass finds none (a move can open one at a point it did not touch, so only
    then is the path a local optimum). Returns the change in length (≤ 0)."""
    where = [0] * len(ext)
    for k, stop in enumerate(path):
        where[stop] = k
    total = _descend(ext, path, where, near, todo)[0]
    while complete:
        delta, lo, hi = _descend(ext, path, where, near, path[:])
        total += delta
        if hi < lo:
            break
    return total


def _descend(ext: list[list[float]], path: list[int], where: list[int], near: list[list[int]],
             todo: list[int]) -> tuple[float, int, int]:
    """The local search proper: returns the change in length and the first and last position
    of ``path`` it changed (an empty range, first > last, when none)."""
    end = len(ext) - 1
    queued = bytearray(len(ext))
    stack = []
    for stop in reversed(todo):  # popped from the end: the first of ``todo`` is looked at first
        if stop != end and not queued[stop]:
            queued[stop] = 1
            stack.append(stop)
    total = 0.0
    changed_lo, changed_hi = len(path), -1
    while stack:
        here = stack.pop()
        queued[here] = 0
        moved = _two_opt_at(ext, path, where, near[here], here)
        if moved is None:
            moved = _or_opt_at(ext, path, where, near, here)
        if moved is None:
            continue
        delta, lo, hi, touched = moved
        total += delta
        changed_lo, changed_hi = min(changed_lo, lo), max(changed_hi, hi)
        for stop in touched:
            if not queued[stop] and stop != end:
                queued[stop] = 1
                stack.append(stop)
    return total, changed_lo, changed_hi


def _two_opt_at(ext: list[list[float]], path: list[int], where: list[int], near_a: list[int],
                a: int) -> tuple[float, int, int, tuple[int, ...]] | None:
    """The best 2-opt move that gives ``a`` a new, shorter edge to one of its neighbours:
    reverse ``path[lo:hi+1]``, so that path[lo-1]–path[lo] and path[hi]–path[hi+1] become
    path[lo-1]–path[hi] and path[lo]–path[hi+1]. Applied; None when there is none."""
    i = where[a]
    last = len(path) - 2
    da = ext[a]
    best, lo, hi = -_EPS, 0, 0
    # a keeps its predecessor and gets a new successor c
    b = path[i + 1]
    d_ab = da[b]
    db = ext[b]
    for c in near_a:
        d_ac = da[c]
        if d_ac >= d_ab:
            break
        j = where[c]
        if j > i + 1:
            if j > last:  # c is END: reversing up to END is not a move
                continue
            e = path[j + 1]
            delta = d_ac + db[e] - d_ab - ext[c][e]
            if delta < best:
                best, lo, hi = delta, i + 1, j
        elif j < i:
            e = path[j + 1]
            if e == a:
                continue
            delta = d_ac + ext[e][b] - d_ab - ext[c][e]
            if delta < best:
                best, lo, hi = delta, j + 1, i
    # a keeps its successor and gets a new predecessor c
    if i >= 1:
        b = path[i - 1]
        d_ab = da[b]
        db = ext[b]
        for c in near_a:
            d_ac = da[c]
            if d_ac >= d_ab:
                break
            j = where[c]
            if j < i - 1:
                if j == 0:  # c is the start, which has no predecessor
                    continue
                e = path[j - 1]
                delta = d_ac + db[e] - d_ab - ext[e][c]
                if delta < best:
                    best, lo, hi = delta, j, i - 1
            elif j > i + 1:
                e = path[j - 1]
                delta = d_ac + db[e] - d_ab - ext[e][c]
                if delta < best:
                    best, lo, hi = delta, i, j - 1
    if not hi:
        return None
    path[lo:hi + 1] = path[hi:lo - 1:-1]
    for k in range(lo, hi + 1):
        where[path[k]] = k
    return best, lo, hi, (path[lo - 1], path[lo], path[hi], path[hi + 1])


def _or_opt_at(ext: list[list[float]], path: list[int], where: list[int], near: list[list[int]],
               a: int) -> tuple[float, int, int, tuple[int, ...]] | None:
    """The best Or-opt move around ``a``: a run of 1–3 stops taken out (its neighbours joined)
    and put, either way round, between two consecutive points elsewhere. Two kinds are looked
    at: a run that begins or ends at ``a``, put next to a neighbour of one of its ends that is
    closer than what taking the run out saves; and a run ending at a neighbour ``e`` of ``a``
    closer than ``a``'s successor, put between the two, ``e`` next to ``a``. Every improving
    move is of one kind or the other seen from one of its points (when neither new edge of the
    run is shorter than what taking it out saves, the edge it is put into is longer than both,
    and its first point is ``a``), so with full neighbour lists none is missed. Applied; None
    when there is none."""
    i = where[a]
    last = len(path) - 2
    best = -_EPS
    move: tuple[int, int, int, int] | None = None  # (first, last position of the run, x, head)
    # a run ending at a neighbour e of a put between a and its successor y, e next to a, when
    # a–e is shorter than a–y (put between a and its predecessor instead, the move is this one
    # seen from the predecessor)
    if i <= last:
        da = ext[a]
        y = path[i + 1]
        d_ay = da[y]
        for e in near[a]:
            d_ae = da[e]
            if d_ae >= d_ay:
                break
            k = where[e]
            if k == 0 or k > last:  # the start and END never move
                continue
            for first, final in ((k, k), (k, k + 1), (k - 1, k), (k, k + 2), (k - 2, k)):
                if first < 1 or final > last or (first <= i + 1 and i <= final):
                    continue  # off the path, or holding a or y
                u, v = path[first], path[final]
                before, after = path[first - 1], path[final + 1]
                delta = (d_ae + ext[v if e == u else u][y] - d_ay
                         - ext[before][u] - ext[v][after] + ext[before][after])
                if delta < best:
                    best, move = delta, (first, final, i, e)
    for first, final in ((i, i), (i, i + 1), (i - 1, i), (i, i + 2), (i - 2, i)):
        if first < 1 or final > last:
            continue
        u, v = path[first], path[final]
        before, after = path[first - 1], path[final + 1]
        gain = ext[before][u] + ext[v][after] - ext[before][after]
        if gain <= _EPS:
            continue
        for e, other in ((u, v), (v, u)) if u != v else ((u, u),):
            de = ext[e]
            d_other = ext[other]
            for c in near[e]:
                d_ec = de[c]
                if d_ec >= gain:
                    break
                k = where[c]
                if first <= k <= final:
                    continue
                # between c and its successor y, e next to c
                if k <= last and k != first - 1:
                    y = path[k + 1]
                    delta = d_ec + d_other[y] - ext[c][y] - gain
                    if delta < best:
                        best, move = delta, (first, final, k, e)
                # between c's predecessor x and c, e next to c
                if k >= 1 and k != final + 1:
                    x = path[k - 1]
                    delta = ext[x][other] + d_ec - ext[x][c] - gain
                    if delta < best:
                        best, move = delta, (first, final, k - 1, other)
    if move is None:
        return None
    first, final, at, head = move  # the run goes between path[at] and path[at+1], head first
    run = path[first:final + 1]
    if run[0] != head:
        run.reverse()
    touched = (path[first - 1], path[final + 1], run[0], run[-1], path[at], path[at + 1])
    if at < first:
        path[at + 1:final + 1] = run + path[at + 1:first]
        lo, hi = at + 1, final
    else:
        path[first:at + 1] = path[final + 1:at + 1] + run
        lo, hi = first, at
    for k in range(lo, hi + 1):
        where[path[k]] = k
    return best, lo, hi, touched


def _kicked(ext: list[list[float]], path: list[int], near: list[list[int]], kicks: int,
            rng: random.Random, span: int = KICK_SPAN) -> list[int]:
    """Iterated local search from the local optimum ``path``: ``kicks`` times, a double bridge
    (pieces B and C of A B C D swapped) and the local search around its three new edges; the
    result kept when it is no longer than the best so far, else undone. Returns the best."""
    end = len(path) - 1
    where = [0] * len(ext)
    for k, stop in enumerate(path):
        where[stop] = k
    best = path[:]
    current = 0.0  # the length relative to the start of the search
    best_length = 0.0
    span = min(span, end - 1)
    for _ in range(kicks):
        # A = path[1:x], B = path[x:y], C = path[y:z], D = path[z:end]; x < y < z ≤ end
        x = rng.randint(1, end - 2)
        y = x + rng.randint(1, min(span, end - 1 - x))
        z = y + rng.randint(1, min(span, end - y))
        p, q, r, s = path[x - 1], path[x], path[y - 1], path[y]
        t, w = path[z - 1], path[z]
        delta = (ext[p][s] + ext[t][q] + ext[r][w]) - (ext[p][q] + ext[r][s] + ext[t][w])
        path[x:z] = path[y:z] + path[x:y]
        for k in range(x, z):
            where[path[k]] = k
        repair, lo, hi = _descend(ext, path, where, near, [p, q, r, s, t, w])
        current += delta + repair
        lo, hi = min(lo, x), max(hi, z - 1)  # every position that differs from ``best``
        if current <= best_length + _EPS:
            best_length = min(best_length, current)
            best[lo:hi + 1] = path[lo:hi + 1]
        else:
            path[lo:hi + 1] = best[lo:hi + 1]
            for k in range(lo, hi + 1):
                where[path[k]] = k
            current = best_length
    return best
