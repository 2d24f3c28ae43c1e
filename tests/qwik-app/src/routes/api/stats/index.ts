import type { RequestHandler } from '@builder.io/qwik-city';
import { appHub } from '../../../hub';

/** The hub's connection and subscriber counts, for the e2e test to watch. */
export const onGet: RequestHandler = async ({ json }) => {
  json(200, appHub().stats());
};
