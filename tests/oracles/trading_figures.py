#!/usr/bin/python3
"""Independent oracle for argus's trading performance figures.

Reads fills as JSON lines (symbol, side, quantity, price, fee, realized_pnl,
strategy_tag, exit_reason, time_ns) and the options as argv, and prints the
figures of actors/metrics_dashboard/trading_performance.hpp as JSON, computed the plain way
with datetime and statistics: no code shared with argus.
"""
import datetime
import json
import math
import statistics
import sys


def figures(fills, capital, periods):
    fills = sorted(fills, key=lambda f: f["time_ns"])
    net = [f["realized_pnl"] - f["fee"] for f in fills]
    when = [datetime.datetime.fromtimestamp(f["time_ns"] / 1e9,
                                            tz=datetime.timezone.utc)
            for f in fills]
    closed = [n for f, n in zip(fills, net)
              if f["realized_pnl"] != 0 or f["exit_reason"]]
    wins = [n for n in closed if n > 0]
    losses = [n for n in closed if n < 0]
    out = {
        "fills": len(fills),
        "closed_trades": len(closed),
        "wins": len(wins),
        "losses": len(losses),
        "realized_pnl": sum(net),
        "fees": sum(f["fee"] for f in fills),
        "win_rate": len(wins) / len(closed) if closed else 0,
        "expectancy": sum(closed) / len(closed) if closed else 0,
        "profit_factor": sum(wins) / -sum(losses) if losses else None,
        "average_win": statistics.mean(wins) if wins else 0,
        "average_loss": statistics.mean(losses) if losses else 0,
    }
    # Equity curve and drawdowns.
    equity = [capital]
    for n in net:
        equity.append(equity[-1] + n)
    times = [fills[0]["time_ns"]] + [f["time_ns"] for f in fills]
    max_dd = max_dd_pct = 0.0
    longest = 0
    peak, peak_t = equity[0], times[0]
    underwater = False
    for e, t in zip(equity, times):
        if e >= peak:
            if underwater:
                longest = max(longest, t - peak_t)
            peak, peak_t, underwater = e, t, False
        else:
            underwater = True
            max_dd = max(max_dd, peak - e)
            max_dd_pct = max(max_dd_pct, (peak - e) / peak)
    if underwater:
        longest = max(longest, times[-1] - peak_t)
    out.update(max_drawdown=max_dd, max_drawdown_pct=max_dd_pct,
               max_drawdown_duration_ns=longest,
               current_drawdown=peak - equity[-1],
               current_drawdown_pct=(peak - equity[-1]) / peak)
    # Calendar PnL.
    by_day, by_week, by_month = {}, {}, {}
    for w, n in zip(when, net):
        iso = w.isocalendar()
        for table, key in ((by_day, w.strftime("%Y-%m-%d")),
                           (by_week, "%04d-W%02d" % (iso[0], iso[1])),
                           (by_month, w.strftime("%Y-%m"))):
            table[key] = table.get(key, 0.0) + n
    out.update(pnl_by_day=by_day, pnl_by_week=by_week, pnl_by_month=by_month)
    # Daily returns over every calendar day from the first fill to the last.
    first, last = when[0].date(), when[-1].date()
    days = (last - first).days + 1
    day_pnl = [0.0] * days
    for w, n in zip(when, net):
        day_pnl[(w.date() - first).days] += n
    returns, start = [], capital
    for p in day_pnl:
        returns.append(p / start)
        start += p
    mean = statistics.fmean(returns)
    sharpe = None
    if len(returns) >= 2 and statistics.stdev(returns) > 0:
        sharpe = mean / statistics.stdev(returns) * math.sqrt(periods)
    downside = math.sqrt(sum(min(r, 0) ** 2 for r in returns) / len(returns))
    sortino = mean / downside * math.sqrt(periods) if downside > 0 else None
    cagr = (equity[-1] / capital) ** (periods / len(returns)) - 1
    calmar = cagr / max_dd_pct if max_dd_pct > 0 else None
    out.update(days=days, sharpe=sharpe, sortino=sortino, cagr=cagr,
               calmar=calmar)
    # Positions: buys minus sells, average entry, valued at the last price.
    pos = {}
    for f in fills:
        q, avg, _ = pos.get(f["symbol"], (0.0, 0.0, 0.0))
        dq = f["quantity"] if f["side"] == "buy" else -f["quantity"]
        if q == 0 or (q > 0) == (dq > 0):
            avg = (abs(q) * avg + f["quantity"] * f["price"]) / (abs(q) + f["quantity"])
        elif q + dq != 0 and (q + dq > 0) != (q > 0):
            avg = f["price"]
        pos[f["symbol"]] = (q + dq, avg, f["price"])
    out["unrealized_pnl"] = sum(q * (last - avg) for q, avg, last in pos.values())
    out["exposure"] = sum(abs(q) * last for q, _, last in pos.values())
    return out


def main():
    capital, periods = float(sys.argv[2]), float(sys.argv[3])
    with open(sys.argv[1]) as f:
        fills = [json.loads(line) for line in f if line.strip()]
    groups = lambda key: {k: figures([f for f in fills if f[key] == k],
                                     capital, periods)
                          for k in sorted({f[key] for f in fills})}
    json.dump({"overall": figures(fills, capital, periods),
               "by_symbol": groups("symbol"),
               "by_tag": groups("strategy_tag")}, sys.stdout)


main()
