import { usePath } from './router';
import { HomePage } from './pages/home/home-page';
import { WritePage } from './pages/write/write-page';
import { ReplayPage } from './pages/replay/replay-page';

/** Pages by path: /write (a writing task), /replay and /replay/:sessionId (the viewer), / (home). */
export function App() {
  const path = usePath();
  if (path.startsWith('/write')) return <WritePage />;
  if (path.startsWith('/replay')) return <ReplayPage sessionId={path.split('/')[2] || undefined} />;
  return <HomePage />;
}
