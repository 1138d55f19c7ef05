import { HomeView } from '@/components/HomeView';

export default function HomePage() {
  return <HomeView />;
}
