import type { EmbeddingModel, Middleware, Model } from "@keel/spec";

export type FullModel = Model & EmbeddingModel;

/**
 * Folds middlewares around a model, first listed = outermost (the AI SDK's
 * wrapLanguageModel shape). A middleware without a hook passes that call through.
 */
export function wrapModel(model: FullModel, middlewares: readonly Middleware[]): FullModel {
  return middlewares.reduceRight<FullModel>((inner, middleware) => wrapOne(inner, middleware), model);
}

function wrapOne(inner: FullModel, middleware: Middleware): FullModel {
  const { wrapGenerate, wrapStream, wrapEmbed } = middleware;
  const generate: FullModel["generate"] = (request, ctx) => inner.generate(request, ctx);
  const stream: FullModel["stream"] = (request, ctx) => inner.stream(request, ctx);
  const embed: FullModel["embed"] = (request, ctx) => inner.embed(request, ctx);
  return {
    generate: wrapGenerate
      ? (request, ctx) => wrapGenerate.call(middleware, { request, ctx, next: generate })
      : generate,
    stream: wrapStream ? (request, ctx) => wrapStream.call(middleware, { request, ctx, next: stream }) : stream,
    embed: wrapEmbed ? (request, ctx) => wrapEmbed.call(middleware, { request, ctx, next: embed }) : embed,
  };
}
