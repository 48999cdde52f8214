import type { ReactNode } from 'react';
import type { Route } from '../menu.js';
import { AppendEvents } from './AppendScreen.js';
import { BenchScreen } from './BenchScreen.js';
import { ClusterStatus } from './ClusterStatusScreen.js';
import { CommandBarScreen } from './CommandBarScreen.js';
import { LogScreen } from './LogScreen.js';
import { ObserverMonitor, SubscriptionFeedView } from './MonitorScreen.js';
import { CreateObserverByPayload, CreateObserverByStream, CreateObserverByType } from './ObserverForms.js';
import { ListObservers, MonitorObserverPrompt, StopObserver } from './ObserverRegistryScreens.js';
import { ListProducers, StartProducers, StopProducer } from './ProducerScreens.js';
import { PickStream, StreamBrowser } from './StreamBrowser.js';
import { CreateSubscription, ListSubscriptions, ParkedEvents } from './SubscriptionScreens.js';
import type { ScreenProps } from './types.js';

/** Option number → screen (option 15 never gets here: the menu item quits). */
const OPTION_SCREENS: Record<number, (p: ScreenProps) => ReactNode> = {
  1: CreateObserverByStream,
  2: CreateObserverByType,
  3: CreateObserverByPayload,
  4: ListObservers,
  5: MonitorObserverPrompt,
  6: StopObserver,
  7: StartProducers,
  8: StopProducer,
  9: ListProducers,
  10: CreateSubscription,
  11: ListSubscriptions,
  12: PickStream,
  13: AppendEvents,
  14: ClusterStatus,
};

/** The screen for a route; each keyed so a new visit starts with fresh state. */
export function renderRoute(route: Route, props: ScreenProps): ReactNode {
  switch (route.screen) {
    case 'menu':
      return null;
    case 'option': {
      const Screen = OPTION_SCREENS[route.n];
      return Screen ? <Screen key={`option-${route.n}`} {...props} /> : null;
    }
    case 'monitor':
      return <ObserverMonitor key={`monitor-${route.observer}`} name={route.observer} {...props} />;
    case 'subscriptionFeed':
      return (
        <SubscriptionFeedView
          key={`sub-${route.name}`}
          name={route.name}
          result={route.result}
          back={route.back}
          {...props}
        />
      );
    case 'parked':
      return <ParkedEvents key={`parked-${route.name}`} name={route.name} {...props} />;
    case 'bench':
      return <BenchScreen key="bench" options={route.options} {...props} />;
    case 'logs':
      return <LogScreen key="logs" {...props} />;
    case 'command':
      return <CommandBarScreen key="command" {...props} />;
    case 'browser':
      return (
        <StreamBrowser key={`browser-${route.stream}`} stream={route.stream} pageSize={route.pageSize} {...props} />
      );
  }
}
