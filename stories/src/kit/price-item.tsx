import { component$ } from '@builder.io/qwik';
import type { LiveFeedItemProps } from '@qwik-realtime/qwik';
import type { PriceTick } from '../../stand-in-broker/feeds';

/** A `LiveFeed` item for `prices:*`: symbol, price and change, with the message's offset. */
export const PriceItem = component$<LiveFeedItemProps<PriceTick>>((props) => {
  const { symbol, price, change } = props.message.data;
  return (
    <span class="price">
      <b>{symbol}</b> {price.toFixed(2)}{' '}
      <span class={change >= 0 ? 'price-up' : 'price-down'}>
        {change >= 0 ? '▲' : '▼'} {Math.abs(change).toFixed(2)}
      </span>{' '}
      <small>#{props.message.offset}</small>
    </span>
  );
});
