// Browser journeys click through many pages, each checked with axe, on 2 busy cores.
jest.setTimeout(300_000);
