/** The app: the sign-in gate, then the pages under /workflows. */

import { lazy, Suspense } from 'react';
import { Route, Router, Switch } from 'wouter';
import { useSession } from './api/session';
import { ErrorBanner } from './components/error-banner';
import { Layout } from './components/layout';
import { Loading } from './components/page';
import { InboxPage } from './pages/inbox/inbox-page';
import { NotFoundPage } from './pages/not-found-page';
import { IncidentsPage } from './pages/search/incidents-page';
import { SearchPage } from './pages/search/search-page';
import { SignInPage } from './pages/sign-in-page';
import { StartPage } from './pages/start/start-page';
import { TaskPage } from './pages/task/task-page';

const APP_BASE = '/workflows';

// The pages an approver rarely opens load on first use: the inbox stays small and fast, and the
// chart and diagram libraries come only with the pages that draw them.
const AnalyticsPage = lazy(() => import('./pages/analytics/analytics-page').then((m) => ({ default: m.AnalyticsPage })));
const DefinitionsPage = lazy(() => import('./pages/definitions/definitions-page').then((m) => ({ default: m.DefinitionsPage })));
const InstancePage = lazy(() => import('./pages/instance/instance-page').then((m) => ({ default: m.InstancePage })));

function Pages() {
  return (
    <Switch>
      <Route path="/">{() => <InboxPage scope="mine" />}</Route>
      <Route path="/tasks">{() => <InboxPage scope="all" />}</Route>
      <Route path="/tasks/:id">{(p) => <TaskPage taskId={p.id} />}</Route>
      <Route path="/start">{() => <StartPage />}</Route>
      <Route path="/start/:name">{(p) => <StartPage workflowName={decodeURIComponent(p.name)} />}</Route>
      <Route path="/instances">{() => <SearchPage />}</Route>
      <Route path="/instances/:id">{(p) => <InstancePage instanceId={p.id} />}</Route>
      <Route path="/incidents">{() => <IncidentsPage />}</Route>
      <Route path="/definitions">{() => <DefinitionsPage />}</Route>
      <Route path="/definitions/:name">{(p) => <DefinitionsPage workflowName={decodeURIComponent(p.name)} />}</Route>
      <Route path="/analytics">{() => <AnalyticsPage />}</Route>
      <Route>{() => <NotFoundPage />}</Route>
    </Switch>
  );
}

export function App() {
  const { session, error } = useSession();
  if (!session) {
    return <main id="main">{error ? <ErrorBanner error={error} title="The engine did not answer" /> : <Loading what="Signing in" />}</main>;
  }
  if (!session.signedIn) return <SignInPage dev={session.methods.dev} oidc={session.methods.oidc} />;
  return (
    <Router base={APP_BASE}>
      <Layout>
        <Suspense fallback={<Loading what="Opening the page" />}>
          <Pages />
        </Suspense>
      </Layout>
    </Router>
  );
}
