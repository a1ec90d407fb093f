import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * Subscriptions run over WebSocket (graphql-ws); over plain HTTP, Apollo would execute
 * one as if it were a query. Refuse it with a pointer to the right transport.
 */
export const httpSubscriptionGuard: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== "subscription") return;
        throw new GraphQLError(
          "subscriptions are served over WebSocket (graphql-ws protocol) at this same URL, not over HTTP POST",
          {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } },
          },
        );
      },
    };
  },
};
