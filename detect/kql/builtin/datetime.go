package builtin

import (
	"math"
	"strings"
	"time"

	"offhunt/detect/data"
)

// Date and time functions. Datetimes are UTC ticks (100 ns since
// 0001-01-01); results outside 0001-01-01..9999-12-31 are null. now() and
// ago() read the query's fixed now from the CallContext, so every use in
// one query sees the same instant, as Kusto documents.

func init() {
	register(
		fn("now([offset: timespan]): datetime", func(c *CallContext, a []data.Value) data.Value {
			now := ctx(c).Now
			if len(a) > 0 {
				off, ok := argTimeSpan(a[0])
				if !ok {
					return data.Null
				}
				return dateTimeOrNull(now, off)
			}
			return data.NewDateTime(now)
		}, volatile()),
		fn("ago(timespan: timespan): datetime", func(c *CallContext, a []data.Value) data.Value {
			ts, ok := argTimeSpan(a[0])
			if !ok || ts == math.MinInt64 {
				return data.Null
			}
			return dateTimeOrNull(ctx(c).Now, -ts)
		}, volatile()),
		fn("datetime_add(period: string, amount: long, datetime: datetime): datetime", evalDateTimeAdd),
		fn("datetime_diff(period: string, datetime1: datetime, datetime2: datetime): long", evalDateTimeDiff),
		fn("datetime_part(part: string, datetime: datetime): int", evalDateTimePart, aliases("datepart")),
		fn("getyear(date: datetime): int", datePart(func(t time.Time) int { return t.Year() })),
		fn("getmonth(date: datetime): int", datePart(func(t time.Time) int { return int(t.Month()) })),
		fn("monthofyear(date: datetime): int", datePart(func(t time.Time) int { return int(t.Month()) })),
		fn("dayofmonth(date: datetime): int", datePart(func(t time.Time) int { return t.Day() })),
		fn("dayofyear(date: datetime): int", datePart(func(t time.Time) int { return t.YearDay() })),
		fn("hourofday(date: datetime): int", datePart(func(t time.Time) int { return t.Hour() })),
		fn("weekofyear(date: datetime): int", datePart(func(t time.Time) int { _, w := t.ISOWeek(); return w }),
			aliases("week_of_year")),
		fn("dayofweek(date: datetime): timespan", func(_ *CallContext, a []data.Value) data.Value {
			t, ok := argDateTime(a[0])
			if !ok {
				return data.Null
			}
			return data.NewTimeSpan(int64(data.TicksToTime(t).Weekday()) * data.TicksPerDay)
		}),
		fn("startofday(date: datetime [, offset: long]): datetime", startOf(startOfDay, false)),
		fn("startofweek(date: datetime [, offset: long]): datetime", startOf(startOfWeek, false)),
		fn("startofmonth(date: datetime [, offset: long]): datetime", startOf(startOfMonth, false)),
		fn("startofyear(date: datetime [, offset: long]): datetime", startOf(startOfYear, false)),
		fn("endofday(date: datetime [, offset: long]): datetime", startOf(startOfDay, true)),
		fn("endofweek(date: datetime [, offset: long]): datetime", startOf(startOfWeek, true)),
		fn("endofmonth(date: datetime [, offset: long]): datetime", startOf(startOfMonth, true)),
		fn("endofyear(date: datetime [, offset: long]): datetime", startOf(startOfYear, true)),
		fn("unixtime_seconds_todatetime(seconds: number): datetime", fromUnix(1e7)),
		fn("unixtime_milliseconds_todatetime(milliseconds: number): datetime", fromUnix(1e4)),
		fn("unixtime_microseconds_todatetime(microseconds: number): datetime", fromUnix(10)),
		fn("unixtime_nanoseconds_todatetime(nanoseconds: number): datetime", fromUnix(0.01)),
		fn("make_datetime(year: long, month: long, day: long [, hour: long, minute: long [, second: real]]): datetime", evalMakeDateTime),
		fn("make_timespan(hour: long, minute: long [, second: real [, fourth: real]]): timespan", evalMakeTimeSpan,
			display("make_timespan([day: long,] hour: long, minute: long [, second: real]): timespan")),
	)
}

// unixEpochTicks is 1970-01-01 in datetime ticks.
const unixEpochTicks = 621_355_968_000_000_000

// dateTimeOrNull adds off ticks to t, giving null outside the datetime
// range (and on overflow).
func dateTimeOrNull(t, off int64) data.Value {
	r := t + off
	if (off > 0 && r < t) || (off < 0 && r > t) || r < data.MinDateTimeTicks || r > data.MaxDateTimeTicks {
		return data.Null
	}
	return data.NewDateTime(r)
}

func inRange(t int64) bool { return t >= data.MinDateTimeTicks && t <= data.MaxDateTimeTicks }

// datePart makes the Eval of a function that reads one calendar field.
func datePart(f func(time.Time) int) func(*CallContext, []data.Value) data.Value {
	return func(_ *CallContext, a []data.Value) data.Value {
		t, ok := argDateTime(a[0])
		if !ok {
			return data.Null
		}
		return data.NewInt(int64(f(data.TicksToTime(t))))
	}
}

func ticksOf(t time.Time) int64 { return data.TimeToTicks(t) }

// The startOf* functions return the start of the unit containing t,
// moved by offset units; ok is false outside the datetime range.

func startOfDay(t int64, off int64) (int64, bool) {
	return checkedAdd(floorDivInt(t, data.TicksPerDay)*data.TicksPerDay, off, data.TicksPerDay)
}

// startOfWeek: weeks start on Sunday; 0001-01-01 was a Monday, so day
// number d (from 0) is a Sunday when (d+1) % 7 == 0.
func startOfWeek(t int64, off int64) (int64, bool) {
	days := floorDivInt(t, data.TicksPerDay)
	sunday := days - ((days+1)%7+7)%7
	return checkedAdd(sunday*data.TicksPerDay, off, 7*data.TicksPerDay)
}

func startOfMonth(t int64, off int64) (int64, bool) {
	tm := data.TicksToTime(t)
	months := int64(tm.Year())*12 + int64(tm.Month()) - 1 + off
	return monthStart(months)
}

func startOfYear(t int64, off int64) (int64, bool) {
	tm := data.TicksToTime(t)
	return monthStart((int64(tm.Year()) + off) * 12)
}

// monthStart returns the first tick of month number m (year*12 + month-1).
func monthStart(m int64) (int64, bool) {
	y := floorDivInt(m, 12)
	if y < 1 || y > 9999 {
		return 0, false
	}
	return ticksOf(time.Date(int(y), time.Month(m-y*12+1), 1, 0, 0, 0, 0, time.UTC)), true
}

// checkedAdd returns base + off*unit, failing outside the datetime range.
func checkedAdd(base, off, unit int64) (int64, bool) {
	if off > math.MaxInt64/unit/2 || off < math.MinInt64/unit/2 {
		return 0, false
	}
	r := base + off*unit
	return r, inRange(r)
}

// startOf makes the Eval of startof*/endof*: the end of a unit is the
// tick before the start of the next one.
func startOf(f func(t, off int64) (int64, bool), end bool) func(*CallContext, []data.Value) data.Value {
	return func(_ *CallContext, a []data.Value) data.Value {
		t, ok := argDateTime(a[0])
		if !ok {
			return data.Null
		}
		var off int64
		if len(a) > 1 {
			if off, ok = argLong(a[1]); !ok {
				return data.Null
			}
		}
		if end {
			off++
		}
		r, ok := f(t, off)
		if end {
			if !ok {
				// The end of the last unit before 10000-01-01.
				if _, nextOK := f(t, off-1); nextOK {
					r, ok = data.MaxDateTimeTicks+1, true
				}
			}
			r--
		}
		if !ok || !inRange(r) {
			return data.Null
		}
		return data.NewDateTime(r)
	}
}

// fromUnix makes the Eval of unixtime_*_todatetime: ticksPerUnit is how
// many ticks one unit is (0.01 for nanoseconds).
func fromUnix(ticksPerUnit float64) func(*CallContext, []data.Value) data.Value {
	return func(_ *CallContext, a []data.Value) data.Value {
		v := a[0]
		var ticks float64
		switch {
		case isIntValue(v):
			if ticksPerUnit >= 1 {
				// Exact integer arithmetic where it fits.
				u := int64(ticksPerUnit)
				if v.I > math.MaxInt64/u || v.I < math.MinInt64/u {
					return data.Null
				}
				return dateTimeOrNull(unixEpochTicks, v.I*u)
			}
			return dateTimeOrNull(unixEpochTicks, floorDivInt(v.I, 100))
		default:
			x, ok := argReal(v)
			if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
				return data.Null
			}
			ticks = x * ticksPerUnit
		}
		if ticks > 4e18 || ticks < -4e18 {
			return data.Null
		}
		return dateTimeOrNull(unixEpochTicks, int64(math.Floor(ticks)))
	}
}

// periodTicks are the fixed-length periods of datetime_add/diff.
var periodTicks = map[string]int64{
	"week": 7 * data.TicksPerDay, "day": data.TicksPerDay, "hour": data.TicksPerHour,
	"minute": data.TicksPerMinute, "second": data.TicksPerSecond,
	"millisecond": data.TicksPerMillisecond, "microsecond": data.TicksPerMicrosecond,
}

// normPeriod lower-cases a period name and maps Kusto's abbreviations.
func normPeriod(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "yy", "yyyy", "years":
		return "year"
	case "qq", "q", "quarters":
		return "quarter"
	case "mm", "m", "months":
		return "month"
	case "wk", "ww", "weeks", "week_of_year", "weekofyear":
		return "week"
	case "dd", "d", "days":
		return "day"
	case "hh", "hours":
		return "hour"
	case "mi", "n", "minutes":
		return "minute"
	case "ss", "s", "seconds":
		return "second"
	case "ms", "milliseconds":
		return "millisecond"
	case "mcs", "microseconds":
		return "microsecond"
	case "ns", "nanoseconds":
		return "nanosecond"
	}
	return p
}

// evalDateTimeAdd adds amount periods. Months, quarters and years keep
// the day of the month, clamped to the month's length (Jan 31 + 1 month
// is Feb 28), as .NET's AddMonths does.
func evalDateTimeAdd(_ *CallContext, a []data.Value) data.Value {
	period := normPeriod(argString(a[0]))
	n, ok1 := argLong(a[1])
	t, ok2 := argDateTime(a[2])
	if !ok1 || !ok2 {
		return data.Null
	}
	var months int64
	switch period {
	case "year":
		months = 12
	case "quarter":
		months = 3
	case "month":
		months = 1
	case "nanosecond":
		return dateTimeOrNull(t, n/100)
	default:
		unit, ok := periodTicks[period]
		if !ok {
			return data.Null
		}
		r, ok := checkedAdd(t, n, unit)
		if !ok {
			return data.Null
		}
		return data.NewDateTime(r)
	}
	if n > 120000 || n < -120000 {
		return data.Null
	}
	tm := data.TicksToTime(t)
	total := int64(tm.Year())*12 + int64(tm.Month()) - 1 + n*months
	y := floorDivInt(total, 12)
	m := int(total-y*12) + 1
	if y < 1 || y > 9999 {
		return data.Null
	}
	d := tm.Day()
	if dim := data.DaysInMonth(int(y), m); d > dim {
		d = dim
	}
	timeOfDay := t - floorDivInt(t, data.TicksPerDay)*data.TicksPerDay
	r := ticksOf(time.Date(int(y), time.Month(m), d, 0, 0, 0, 0, time.UTC)) + timeOfDay
	return data.NewDateTime(r)
}

// evalDateTimeDiff counts period boundaries between datetime2 and
// datetime1 (datetime1 - datetime2): calendar fields for years,
// quarters and months, Sunday-started weeks, and truncated units below.
func evalDateTimeDiff(_ *CallContext, a []data.Value) data.Value {
	period := normPeriod(argString(a[0]))
	t1, ok1 := argDateTime(a[1])
	t2, ok2 := argDateTime(a[2])
	if !ok1 || !ok2 {
		return data.Null
	}
	switch period {
	case "year", "quarter", "month":
		a1, b1 := data.TicksToTime(t1), data.TicksToTime(t2)
		switch period {
		case "year":
			return data.NewLong(int64(a1.Year() - b1.Year()))
		case "quarter":
			q1 := a1.Year()*4 + (int(a1.Month())-1)/3
			q2 := b1.Year()*4 + (int(b1.Month())-1)/3
			return data.NewLong(int64(q1 - q2))
		}
		return data.NewLong(int64((a1.Year()*12 + int(a1.Month())) - (b1.Year()*12 + int(b1.Month()))))
	case "week":
		w := 7 * data.TicksPerDay
		// Shift by a day so that week boundaries fall on Sundays.
		return data.NewLong(floorDivInt(t1+data.TicksPerDay, w) - floorDivInt(t2+data.TicksPerDay, w))
	case "nanosecond":
		return data.NewLong((t1 - t2) * 100)
	}
	unit, ok := periodTicks[period]
	if !ok {
		return data.Null
	}
	return data.NewLong(floorDivInt(t1, unit) - floorDivInt(t2, unit))
}

// evalDateTimePart returns one field; week_of_year is the ISO 8601 week.
func evalDateTimePart(_ *CallContext, a []data.Value) data.Value {
	part := strings.ToLower(strings.TrimSpace(argString(a[0])))
	t, ok := argDateTime(a[1])
	if !ok {
		return data.Null
	}
	tm := data.TicksToTime(t)
	frac := t - floorDivInt(t, data.TicksPerSecond)*data.TicksPerSecond
	var r int64
	switch part {
	case "year":
		r = int64(tm.Year())
	case "quarter":
		r = int64((int(tm.Month())-1)/3 + 1)
	case "month":
		r = int64(tm.Month())
	case "week_of_year", "weekofyear", "week":
		_, w := tm.ISOWeek()
		r = int64(w)
	case "day":
		r = int64(tm.Day())
	case "dayofyear", "day_of_year":
		r = int64(tm.YearDay())
	case "hour":
		r = int64(tm.Hour())
	case "minute":
		r = int64(tm.Minute())
	case "second":
		r = int64(tm.Second())
	case "millisecond":
		r = frac / data.TicksPerMillisecond
	case "microsecond":
		r = frac / data.TicksPerMicrosecond
	case "nanosecond":
		r = frac * 100
	default:
		return data.Null
	}
	return data.NewInt(r)
}

// evalMakeDateTime builds a datetime from its fields; the seconds may
// have a fraction. Fields out of range give null.
func evalMakeDateTime(_ *CallContext, a []data.Value) data.Value {
	var f [5]int64
	for i := 0; i < 5 && i < len(a); i++ {
		v, ok := argLong(a[i])
		if !ok {
			return data.Null
		}
		f[i] = v
	}
	var sec float64
	if len(a) > 5 {
		s, ok := argReal(a[5])
		if !ok || !(s >= 0 && s < 60) {
			return data.Null
		}
		sec = s
	}
	y, mo, d, h, mi := f[0], f[1], f[2], f[3], f[4]
	if y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > int64(data.DaysInMonth(int(y), int(mo))) ||
		h < 0 || h > 23 || mi < 0 || mi > 59 {
		return data.Null
	}
	base := ticksOf(time.Date(int(y), time.Month(mo), int(d), int(h), int(mi), 0, 0, time.UTC))
	return data.NewDateTime(base + int64(math.Round(sec*float64(data.TicksPerSecond))))
}

// evalMakeTimeSpan: make_timespan(hour, minute[, second]) or
// make_timespan(day, hour, minute, second); the seconds may be real.
func evalMakeTimeSpan(_ *CallContext, a []data.Value) data.Value {
	var day, hour, minute int64
	var sec float64
	var ok bool
	idx := 0
	if len(a) == 4 {
		if day, ok = argLong(a[0]); !ok {
			return data.Null
		}
		idx = 1
	}
	if hour, ok = argLong(a[idx]); !ok {
		return data.Null
	}
	if minute, ok = argLong(a[idx+1]); !ok {
		return data.Null
	}
	if len(a) > idx+2 {
		if sec, ok = argReal(a[idx+2]); !ok {
			return data.Null
		}
	}
	total := float64(day)*float64(data.TicksPerDay) + float64(hour)*float64(data.TicksPerHour) +
		float64(minute)*float64(data.TicksPerMinute) + sec*float64(data.TicksPerSecond)
	if math.IsNaN(total) || math.Abs(total) > 9e18 {
		return data.Null
	}
	ticks := day*data.TicksPerDay + hour*data.TicksPerHour + minute*data.TicksPerMinute +
		int64(math.Round(sec*float64(data.TicksPerSecond)))
	return data.NewTimeSpan(ticks)
}
