export { loadFeed } from './load-feed.js';
export { publishAction } from './publish-action.js';

export type { LoadFeedOptions } from './load-feed.js';
export type { PublishActionOptions, PublishFailure, Failed, FormFields, ActionEventLike } from './publish-action.js';
export type { HubLike, HistoryAnswer } from './hub-like.js';
export type { FeedSeed } from '../use-channel.js';
