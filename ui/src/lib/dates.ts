// Dates and times as the clinic reads them: in the site's time zone (SiteInfo.time_zone, which the
// session store loads at login as `current.zone`), never the UTC date `toISOString()` gives, which
// is the wrong day near midnight anywhere but UTC. A zone left out means this machine's own zone
// (Intl's default), for the moments before the site's zone is known.
// The core's `site_now` stays the source of "now" for the calendar and charts (a pinned test clock
// reaches it); these helpers turn instants the core sends (UTC) or the window measures into wall time.

type Instant = number | string | Date;

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? "";
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formats.set(key, f);
  }
  return f;
}

/** The wall time of `instant` in `zone`: "YYYY-MM-DDTHH:MM:SS" (what it was given, if not an instant). */
export function localDateTime(instant: Instant, zone?: string): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return String(instant);
  const parts = Object.fromEntries(format(zone).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The date of `instant` in `zone`: "YYYY-MM-DD". */
export const localDate = (instant: Instant, zone?: string) => localDateTime(instant, zone).slice(0, 10);

/** The clock time of `instant` in `zone`: "HH:MM". */
export const localClock = (instant: Instant, zone?: string) => localDateTime(instant, zone).slice(11, 16);

/** Today's date in `zone` ("YYYY-MM-DD"), at `now` (ms, this moment unless given). */
export const today = (zone?: string, now: number = Date.now()) => localDate(now, zone);
