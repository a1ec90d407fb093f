import { useEffect, useRef, useState } from "react";
import { AlertsPage } from "./pages/alerts-page.tsx";
import { HealthPage } from "./pages/health-page.tsx";
import { OverviewPage } from "./pages/overview-page.tsx";
import { UsagePage } from "./pages/usage-page.tsx";
import { ReviewPage } from "./review/review-page.tsx";
import { PAGES, type PageName, pageFromHash } from "./routes.ts";
import { hasRole, useSession } from "./session/session-context.ts";

const PAGE_VIEWS: Readonly<Record<PageName, () => React.JSX.Element>> = {
  overview: OverviewPage,
  alerts: AlertsPage,
  health: HealthPage,
  usage: UsagePage,
  review: ReviewPage,
};

/** Navigation by role, the session line, and the current page; the heading takes focus on a page change. */
export function Layout() {
  const session = useSession();
  const [page, setPage] = useState(() => pageFromHash(window.location.hash));
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    const follow = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `page` is what moves the focus to its heading
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [page]);

  const visible = PAGES.filter((entry) => hasRole(session.info.role, entry.role));
  const current = visible.find((entry) => entry.name === page) ?? visible[0]!;
  const View = PAGE_VIEWS[current.name];
  useEffect(() => {
    document.title = `${current.title} · Keel dashboard`;
  }, [current]);

  return (
    <div className="layout">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Keel</span>
        <p className="who">
          Tenant <strong>{session.info.tenant}</strong> · role <strong>{session.info.role}</strong>
          {session.info.authentication === "off" ? " · authentication off" : null}
        </p>
        {session.signedIn ? (
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        ) : (
          <button type="button" onClick={session.openSignIn}>
            Sign in with a key
          </button>
        )}
      </header>
      <nav aria-label="Pages" className="side">
        <ul>
          {visible.map((entry) => (
            <li key={entry.name}>
              <a href={`#/${entry.name}`} aria-current={entry.name === current.name ? "page" : undefined}>
                {entry.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="content" className="content">
        <h1 ref={heading} tabIndex={-1}>
          {current.title}
        </h1>
        <View />
      </main>
    </div>
  );
}
