export { startGraphqlService, type GraphqlServiceOptions } from "./start-graphql-service.ts";
