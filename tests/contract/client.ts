// A client's typed use of the types openapi-typescript generates from the served document
// (tests/contract/lint-openapi runs tsc --strict on both). Each line relies on something the
// document must say: money is a string, quantities numbers, sorts and units enums, a
// problem's field errors a list, the picture upload a multipart body.
import type { components, paths } from "./api";

type Product = components["schemas"]["ProductOut"];
type ProductPage =
  paths["/api/products"]["get"]["responses"][200]["content"]["application/json"];
type ProductQuery = NonNullable<paths["/api/products"]["get"]["parameters"]["query"]>;
type AddToCart = components["schemas"]["AddToCartBody"];
type Problem = components["schemas"]["Problem"];
type Upload = NonNullable<
  paths["/api/products/{product_id}/images"]["post"]["requestBody"]
>["content"]["multipart/form-data"];
type SalesQuery = NonNullable<
  paths["/api/reports/sales-over-time"]["get"]["parameters"]["query"]
>;

export const line: AddToCart = { product_id: "01900000-0000-7000-8000-0000000000aa", quantity: 2 };
export const cheapestFirst: ProductQuery = { sort: "price", limit: 100, min_price: "1.50" };
export const weekly: SalesQuery = { interval: "week", from: "2026-01-01", format: "csv" };
export const upload: Upload = { file: "the picture's bytes" };

// @ts-expect-error: the sorts are an enum, not any string
export const unknownSort: ProductQuery = { sort: "cheapest" };
// @ts-expect-error: a quantity is a number
export const textQuantity: AddToCart = { product_id: "x", quantity: "2" };
// @ts-expect-error: the upload's field is named file
export const misnamedUpload: Upload = { picture: "bytes" };

export function firstPrice(page: ProductPage): string | undefined {
  return page.items[0]?.price;
}

export function soldBy(product: Product): "piece" | "kg" | "g" | "l" | "ml" | "pack" | "bunch" {
  return product.unit;
}

export function fieldErrors(problem: Problem): string[] {
  return (problem.errors ?? []).map((error) => `${error.field}: ${error.message}`);
}
