import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionProvider } from './api/session';
import { App } from './app';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    // the API's answers are the truth: refetch when the page comes back, retry a failed read once
    queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 5_000 },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
