import { createContext, useContext } from "react";
import type { SessionInfo } from "@keel/trpc";
import type { KeelClient } from "../api/client.ts";

export type Role = SessionInfo["role"];

export interface Session {
  client: KeelClient;
  info: SessionInfo;
  /** Whether this browser sent an API key. */
  signedIn: boolean;
  signOut(): void;
  openSignIn(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside the signed-in app");
  return session;
}

/** Roles, least to most privileged; a role has every right of those below it. */
const RANK: Readonly<Record<Role, number>> = { caller: 0, reviewer: 1, admin: 2 };

export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
