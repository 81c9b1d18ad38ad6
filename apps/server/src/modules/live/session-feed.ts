import type { VeritasEvent } from '@veritas/schema';
import type { Scope } from '../../kernel/scope';
import type { LiveHub, Unsubscribe } from '../../platform/hub/live-hub';
import type { SessionsService } from '../sessions';
import { sessionChannel, type SessionNudge } from './live.subscriptions';
import { jitteredEvery } from './jittered-every';

/** Events read from the database per query. */
export const PAGE = 1000;

/** Viewers offered a page in one turn of the event loop. */
const FANOUT_SLICE = 500;

/** Events of a session read once for all its viewers in this instance: those after `after`, as SSE messages. */
export interface FeedPage {
  after: number;
  seqs: number[];
  /** Each event's SSE message, encoded once for every viewer. */
  frames: Buffer[];
  /** All the frames as one buffer, made once: what a viewer that takes the whole page is written. */
  whole: Buffer;
}

/** An access check shared by the viewers of one actor: `check` runs only when none ran this period. */
export type SharedAccessCheck = (actorKey: string, check: () => Promise<boolean>) => Promise<boolean>;

/** A viewer's stream, as the feed sees it. */
export interface FeedMember {
  /** The last seq the viewer was sent. */
  readonly lastSent: number;
  /** A page the feed read: taken when it follows what the viewer has, else the viewer reads for itself. */
  offer(page: FeedPage): void;
  /** The session has ended and the feed has read all of it, up to `lastSeq`. */
  offerEnd(lastSeq: number): void;
  /** Reads from the database for itself, after its last seq (it is behind the feed, or the feed failed). */
  catchUp(): void;
  /** Writes a heartbeat (keeps proxies from closing an idle connection). */
  heartbeat(): void;
  /** Checks again that its viewer may still read the session. */
  recheck(): void;
}

export interface SessionFeedDeps {
  sessions: SessionsService;
  hub: LiveHub;
  heartbeatMs: number;
  recheckMs: number;
}

/** A commit heard on the hub with its events: offered as it is when it follows what the feed has read. */
export interface HeardPage {
  seq: number;
  events: VeritasEvent[];
}

/**
 * The live viewers of one session in this instance share one feed: one hub subscription, each event
 * encoded once and offered to every viewer. A commit's nudge carries its events when they are small
 * (live.subscriptions.ts): those that follow what the feed has are offered as they are, with no read
 * at all; the database is read when they do not follow (a message lost or out of order), for a nudge
 * without events (a large batch), for the end, after a hub resync, and at a heartbeat of a feed that
 * heard nothing during the last period (the last message of a session lost). Work is serialised: a
 * read asked for during one runs once after it, and takes everything committed meanwhile in one page
 * (the first coalescing); a heard page is cut at what the feed has already offered, so nothing is
 * offered twice.
 */
class SessionFeed {
  readonly members = new Set<FeedMember>();
  /** The last seq the feed has offered; null until its first page. */
  private head: number | null = null;
  private working = false;
  /** A read of the database is owed (it runs before any heard page still waiting). */
  private readOwed = false;
  /** Commits heard with their events, waiting their turn. */
  private readonly heard: HeardPage[] = [];
  /** A hub message arrived since the last heartbeat. */
  private heardSinceBeat = false;
  private closed = false;
  private unsubscribe: Unsubscribe | undefined;
  private stopResync: Unsubscribe | undefined;
  /** What stops the feed's timers (one pair per session, not per viewer). */
  private readonly stops: (() => void)[] = [];
  /** Access checks of this period, by actor: the viewers of one actor share one check. */
  private readonly checks = new Map<string, Promise<boolean>>();
  readonly opened: Promise<void>;

  constructor(
    private readonly scope: Scope,
    private readonly sessionId: string,
    private readonly deps: SessionFeedDeps,
  ) {
    this.opened = this.open();
  }

  private async open(): Promise<void> {
    const { hub } = this.deps;
    const unsubscribe = await hub.subscribe(sessionChannel(this.sessionId), (m) => this.onHub(m as SessionNudge));
    if (this.closed) return unsubscribe();
    this.unsubscribe = unsubscribe;
    // Messages lost while the hub was away: read at once, not at the next heartbeat.
    this.stopResync = hub.onResync(() => this.pull());
    // One timer per session, not per viewer. A feed that heard nothing for a period reads anyway: its
    // last message may have been lost (a lost one followed by others shows as a gap and is read then).
    this.every(this.deps.heartbeatMs, () => {
      for (const m of this.members) m.heartbeat();
      if (!this.heardSinceBeat) this.pull();
      this.heardSinceBeat = false;
    });
    this.every(this.deps.recheckMs, () => {
      this.checks.clear();
      for (const m of [...this.members]) m.recheck();
    });
  }

  private every(ms: number, tick: () => void): void {
    this.stops.push(jitteredEvery(ms, tick));
  }

  /**
   * Whether `actor` may still read the session, checked once per recheck period for all the viewers
   * of one actor (many viewers of a public session, a teacher's several tabs): without it, 10,000
   * viewers were 2,000 access queries a second.
   */
  stillReads: SharedAccessCheck = (actorKey, check) => {
    const cached = this.checks.get(actorKey);
    if (cached) return cached;
    const result = check();
    this.checks.set(actorKey, result);
    // A failed check is not shared with the next viewer's: each decides for itself.
    result.catch(() => this.checks.delete(actorKey));
    return result;
  };

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.stopResync?.();
    for (const stop of this.stops) stop();
    this.checks.clear();
    this.heard.length = 0;
  }

  private onHub(m: SessionNudge): void {
    this.heardSinceBeat = true;
    if ('seq' in m && Array.isArray(m.events) && m.events.length > 0) {
      this.heard.push({ seq: m.seq, events: m.events });
      return this.work();
    }
    // Already offered: nothing to read.
    if ('seq' in m && this.head !== null && typeof m.seq === 'number' && m.seq <= this.head) return;
    this.pull();
  }

  /** Reads the database (once, however often it is asked while a read is owed or running). */
  pull(): void {
    this.readOwed = true;
    this.work();
  }

  private work(): void {
    if (this.closed || this.working) return;
    this.working = true;
    void (async () => {
      try {
        while (!this.closed) {
          if (this.readOwed) {
            this.readOwed = false;
            await this.readOnce();
            continue;
          }
          if (this.heard.length === 0) break;
          // Everything heard while the last page was offered goes out as one page: a fan-out to
          // thousands of viewers outlasts many commits, and one page per commit would be one write
          // per commit per viewer however far behind the feed had fallen.
          await this.offerHeard(mergeHeard(this.heard.splice(0)));
        }
      } catch {
        // The database is away, or the session is gone: each viewer reads for itself, and ends as
        // its own read decides (lost access, an error it resumes from).
        this.heard.length = 0;
        for (const m of [...this.members]) m.catchUp();
      } finally {
        this.working = false;
      }
      // Heard while the catch-up above ran: its own turn.
      if (!this.closed && (this.readOwed || this.heard.length > 0)) this.work();
    })();
  }

  /** The first page starts where the viewers are; those behind it catch up by themselves. False: nobody watches. */
  private startHead(): boolean {
    if (this.head !== null) return true;
    const lastSent = [...this.members].map((m) => m.lastSent);
    if (lastSent.length === 0) return false;
    this.head = Math.max(...lastSent);
    return true;
  }

  private async offerHeard({ events }: HeardPage): Promise<void> {
    if (!this.startHead()) return;
    const head = this.head!;
    const fresh = events.filter((e) => e.seq > head);
    if (fresh.length === 0) return;
    // Not the next events (one was lost, or came out of order): the database has them all.
    if (fresh[0]!.seq !== head + 1) return void (this.readOwed = true);
    // Merged pages with a commit missing between them: the part before the gap now, the rest read.
    let n = 1;
    while (n < fresh.length && fresh[n]!.seq === fresh[n - 1]!.seq + 1) n++;
    if (n < fresh.length) this.readOwed = true;
    const offered = fresh.slice(0, n);
    this.head = offered[offered.length - 1]!.seq;
    await this.offer(pageOf(head, offered));
  }

  /**
   * Offers the page to every viewer, a slice at a time with a turn of the event loop between slices:
   * ingest's requests run in between, and whatever they commit meanwhile is read after this fan-out
   * in one page, so each viewer gets several messages in one write. The writes per second stay
   * bounded by the time one fan-out takes, not by the message rate (the coalescing that lets the
   * deliveries per second go past one write per message per viewer).
   */
  private async offer(page: FeedPage): Promise<void> {
    const members = [...this.members];
    for (let i = 0; i < members.length; i += FANOUT_SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const m of members.slice(i, i + FANOUT_SLICE)) m.offer(page);
    }
  }

  private async readOnce(): Promise<void> {
    const { sessions } = this.deps;
    if (!this.startHead()) return;
    // The status before the events: an ended session has all its events stored, so an end read
    // first means the pages below hold the last of them.
    const session = await sessions.get(this.scope, this.sessionId);
    for (;;) {
      if (this.closed) return;
      const after: number = this.head!;
      const events = await sessions.events(this.scope, this.sessionId, after, PAGE);
      if (this.closed) return;
      if (events.length > 0) {
        this.head = events[events.length - 1]!.seq;
        await this.offer(pageOf(after, events));
      }
      if (events.length < PAGE) break;
    }
    if (session.status === 'ended') for (const m of [...this.members]) m.offerEnd(this.head!);
  }
}

/** Events after `after`, each encoded once as its SSE message. */
function pageOf(after: number, events: readonly VeritasEvent[]): FeedPage {
  const frames = events.map((e) => Buffer.from(frame(e)));
  return { after, seqs: events.map((e) => e.seq), frames, whole: frames.length === 1 ? frames[0]! : Buffer.concat(frames) };
}

/** Heard pages as one: their events in seq order, each once (a commit heard twice, or out of order). */
export function mergeHeard(pages: readonly HeardPage[]): HeardPage {
  if (pages.length === 1) return pages[0]!;
  const bySeq = new Map<number, VeritasEvent>();
  for (const p of pages) for (const e of p.events) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return { seq: events[events.length - 1]!.seq, events };
}

/** The feeds of one server instance, by session: opened with a session's first viewer, closed with its last. */
export class SessionFeeds {
  private readonly feeds = new Map<string, SessionFeed>();

  constructor(private readonly deps: SessionFeedDeps) {}

  /**
   * Adds the viewer to its session's feed; resolves once the feed listens to the hub. Returns its
   * leave, and the feed's shared access check.
   */
  async join(scope: Scope, sessionId: string, member: FeedMember): Promise<{ leave: () => void; stillReads: SharedAccessCheck }> {
    const key = `${scope.tenantId ?? ''}/${sessionId}`;
    let feed = this.feeds.get(key);
    if (!feed) this.feeds.set(key, (feed = new SessionFeed(scope, sessionId, this.deps)));
    feed.members.add(member);
    const joined = feed;
    const leave = () => {
      if (!joined.members.delete(member) || joined.members.size > 0) return;
      joined.close();
      if (this.feeds.get(key) === joined) this.feeds.delete(key);
    };
    try {
      await joined.opened;
    } catch (err) {
      leave();
      throw err;
    }
    return { leave, stillReads: joined.stillReads };
  }

  /** Feeds open now (for tests and stats). */
  get size(): number {
    return this.feeds.size;
  }
}

/** One feed registry per hub, i.e. per server instance (each builds its own hub). */
const registries = new WeakMap<LiveHub, SessionFeeds>();

export function feedsOf(deps: SessionFeedDeps): SessionFeeds {
  let feeds = registries.get(deps.hub);
  if (!feeds) registries.set(deps.hub, (feeds = new SessionFeeds(deps)));
  return feeds;
}

/** One event as an SSE message: its seq is the id a reconnecting viewer resumes after. */
export const frame = (e: VeritasEvent): string => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;
