import { Link } from 'wouter';
import { Page } from '../components/page';

export function NotFoundPage() {
  return (
    <Page title="Not found">
      <p>
        There is no page here. <Link href="/">Back to the inbox</Link>
      </p>
    </Page>
  );
}
