import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { availability } from "../../actors/catalog.port.ts";
import { CatalogInvalid, catalogFromJson, loadJsonCatalog } from "./jsonCatalog.ts";

const samplePath = new URL("./sampleCatalog.json", import.meta.url).pathname;
const sample = loadJsonCatalog(samplePath);
const everything = { offset: 0, limit: 100 };
const ids = (page: { readonly items: readonly { readonly id: string }[] }) => page.items.map((item) => item.id);

type Row = Record<string, unknown>;
interface File {
  categories: Row[];
  products: Row[];
}

/** A small valid file, fresh for every mutation. */
function validFile(): File {
  return {
    categories: [
      { id: "coffee", title: "Кофе", emoji: "☕" },
      { id: "tea", title: "Чай" },
    ],
    products: [
      { id: "p1", categoryId: "coffee", title: "Эфиопия", description: "Цветочный.", price: 890, currency: "RUB" },
      { id: "p2", categoryId: "tea", title: "Сенча", description: "", price: 590, currency: "RUB", stock: 0 },
      { id: "p3", categoryId: "tea", title: "Пуэр", description: "Землистый.", price: 1690.5, currency: "RUB", photo: "https://example.com/p.jpg" },
      { id: "p4", categoryId: "coffee", title: "Кения", description: "Ягодный.", price: 950, currency: "RUB", photo: "AgACAgIAAxkBAAIBZ2ZfileId" },
    ],
  };
}

function refusal(value: unknown): CatalogInvalid {
  try {
    catalogFromJson(value, "catalog.json");
  } catch (error) {
    if (error instanceof CatalogInvalid) return error;
    throw error;
  }
  throw new Error("the catalog was accepted");
}

const photoHelp = "expected an https:// URL, a Telegram file_id, or a .jpg, .png or .webp file next to the catalog";

const product = (file: File, i: number): Row => {
  const row = file.products[i];
  if (!row) throw new Error(`no products[${i}] in the fixture`);
  return row;
};

describe("the sample catalog", () => {
  it("loads four categories and their products in file order", () => {
    expect(sample.categories().map((category) => category.id)).toEqual(["coffee", "tea", "brew", "sweets"]);
    const all = sample.categories().flatMap((category) => ids(sample.products(category.id, everything)));
    expect(all.length).toBeGreaterThanOrEqual(24);
    expect(all[0]).toBe("eth-yirgacheffe");
    expect(sample.product("eth-yirgacheffe")).toMatchObject({ title: "Эфиопия Иргачеффе, 250 г", price: 890, currency: "RUB" });
  });

  it("has sold-out and low-stock products next to untracked ones, and photos only as picture files shipped with it", () => {
    const products = sample.categories().flatMap((category) => sample.products(category.id, everything).items);
    const photos = products.flatMap((p) => p.photo ?? []);
    expect(photos.length).toBeGreaterThanOrEqual(4);
    expect(photos.length).toBeLessThanOrEqual(8);
    for (const photo of photos) {
      expect(isAbsolute(photo) && dirname(photo)).toBe(join(dirname(samplePath), "photos"));
      const bytes = readFileSync(photo);
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
      expect(bytes.length).toBeGreaterThan(2_000);
      expect(bytes.length).toBeLessThanOrEqual(40 * 1024);
    }
    expect(products.some((p) => p.stock === 0)).toBe(true);
    expect(products.some((p) => p.stock !== undefined && p.stock > 0)).toBe(true);
    expect(products.filter((p) => p.stock === undefined).length).toBeGreaterThan(products.length / 2);
  });
});

describe("validation", () => {
  it("accepts the valid fixture, so each refusal below is caused by its one change", () => {
    const catalog = catalogFromJson(validFile());
    expect(catalog.product("p3")?.photo).toBe("https://example.com/p.jpg");
    expect(catalog.category("coffee")?.emoji).toBe("☕");
  });

  it.each<[string, (file: File) => unknown, string]>([
    ["a file that is not an object", () => [1, 2], "catalog.json: expected an object {...}, got a list"],
    ["a missing list", (f) => ({ categories: f.categories }), "catalog.json: products: required field is missing"],
    ["a missing field", (f) => (delete product(f, 1).price, f), "catalog.json: products[1].price: required field is missing"],
    ["a field of the wrong type", (f) => ((product(f, 0).price = "890"), f), 'catalog.json: products[0].price: expected a number, got text "890"'],
    ["a negative price", (f) => ((product(f, 3).price = -5), f), "catalog.json: products[3].price: expected a positive number"],
    ["a NaN price", (f) => ((product(f, 2).price = Number.NaN), f), "catalog.json: products[2].price: expected a positive number"],
    ["a zero price", (f) => ((product(f, 0).price = 0), f), "catalog.json: products[0].price: expected a positive number"],
    ["a price below a cent", (f) => ((product(f, 0).price = 10.005), f), "catalog.json: products[0].price: expected at most 2 decimal places"],
    ["a duplicate product id", (f) => ((product(f, 2).id = "p1"), f), 'catalog.json: products[2].id: duplicate product id "p1" (also products[0])'],
    ["a duplicate category id", (f) => (f.categories.push({ id: "tea", title: "Ещё чай" }), f), 'catalog.json: categories[2].id: duplicate category id "tea" (also categories[1])'],
    ["an unknown category", (f) => ((product(f, 1).categoryId = "cocoa"), f), 'catalog.json: products[1].categoryId: unknown category "cocoa" (categories: coffee, tea)'],
    ["a product id with a space", (f) => ((product(f, 0).id = "p 1"), f), 'catalog.json: products[0].id: expected an id of 1–24 Latin letters, digits, "_" or "-", got "p 1"'],
    ["a Cyrillic category id", (f) => (f.categories.push({ id: "чай", title: "Чай" }), f), 'catalog.json: categories[2].id: expected an id of 1–24 Latin letters, digits, "_" or "-", got "чай"'],
    ["a 25-character id", (f) => ((product(f, 1).id = "a".repeat(25)), f), `catalog.json: products[1].id: expected an id of 1–24 Latin letters, digits, "_" or "-", got "${"a".repeat(25)}"`],
    ["an empty id", (f) => ((product(f, 1).id = ""), f), 'catalog.json: products[1].id: expected an id of 1–24 Latin letters, digits, "_" or "-", got ""'],
    ["a title of 101 characters", (f) => ((product(f, 3).title = "я".repeat(101)), f), "catalog.json: products[3].title: expected at most 100 characters, got 101"],
    ["a blank title", (f) => ((product(f, 0).title = "  "), f), "catalog.json: products[0].title: expected text, got an empty string"],
    ["a description of 901 characters", (f) => ((product(f, 0).description = "я".repeat(901)), f), "catalog.json: products[0].description: expected at most 900 characters, got 901"],
    ["a lowercase currency", (f) => ((product(f, 0).currency = "rub"), f), 'catalog.json: products[0].currency: expected a 3-letter ISO 4217 code in capitals (e.g. "RUB"), got "rub"'],
    ["a 4-letter currency", (f) => ((product(f, 0).currency = "RUBL"), f), 'catalog.json: products[0].currency: expected a 3-letter ISO 4217 code in capitals (e.g. "RUB"), got "RUBL"'],
    ["a second currency", (f) => ((product(f, 2).currency = "USD"), f), 'catalog.json: products[2].currency: expected "RUB" like products[0]: a cart adds prices of one currency'],
    ["a fractional stock", (f) => ((product(f, 1).stock = 1.5), f), "catalog.json: products[1].stock: expected a whole number ≥ 0 (leave the field out to not track stock)"],
    ["a negative stock", (f) => ((product(f, 1).stock = -1), f), "catalog.json: products[1].stock: expected a whole number ≥ 0 (leave the field out to not track stock)"],
    ["a photo that is neither a URL, a file_id nor a picture file", (f) => ((product(f, 0).photo = "photo of beans"), f), `catalog.json: products[0].photo: ${photoHelp}`],
    ["a plain-http photo", (f) => ((product(f, 0).photo = "http://example.com/p.jpg"), f), `catalog.json: products[0].photo: ${photoHelp}`],
    ["a photo file of another kind", (f) => ((product(f, 0).photo = "photos/beans.gif"), f), `catalog.json: products[0].photo: ${photoHelp}`],
    ["a picture file with no catalog file to find it next to", (f) => ((product(f, 0).photo = "photos/beans.jpg"), f), "catalog.json: products[0].photo: a picture file needs the catalog to be read from a file, next to it"],
    ["a misspelt field", (f) => ((product(f, 3).stok = 3), f), "catalog.json: products[3].stok: unknown field (a typo?)"],
  ])("refuses %s with one message naming the path", (_name, mutate, message) => {
    const error = refusal(mutate(validFile()));
    expect(error.message).toBe(message);
    expect(error._tag).toBe("CatalogInvalid");
    expect(error.source).toBe("catalog.json");
  });

  it("keeps the path apart from the reason, for a caller that shows them differently", () => {
    const file = validFile();
    product(file, 3).price = -1;
    expect(refusal(file)).toMatchObject({ path: "products[3].price", reason: "expected a positive number" });
  });

  it("accepts the longest title and description that fit a Telegram caption", () => {
    const file = validFile();
    product(file, 0).title = "я".repeat(100);
    product(file, 0).description = "я".repeat(900);
    expect(catalogFromJson(file).product("p1")?.title).toHaveLength(100);
  });

  describe("from a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it("names the file when it is not JSON", () => {
      const path = write("broken.json", '{ "categories": [], "products": [ }');
      expect(() => loadJsonCatalog(path)).toThrow(new RegExp(`^${path.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not valid JSON: `));
    });

    it("names the file when it cannot be read", () => {
      const path = join(dir, "missing.json");
      expect(() => loadJsonCatalog(path)).toThrow(`${path}: cannot read the file (ENOENT)`);
    });

    it("finds a picture file next to the catalog file, and refuses a missing, empty, oversized or folder one", () => {
      mkdirSync(join(dir, "pics"), { recursive: true });
      writeFileSync(join(dir, "pics", "beans.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
      writeFileSync(join(dir, "pics", "empty.png"), "");
      writeFileSync(join(dir, "pics", "huge.webp"), "");
      truncateSync(join(dir, "pics", "huge.webp"), 11 * 1024 * 1024);
      mkdirSync(join(dir, "pics", "folder.png"), { recursive: true });
      const withPhoto = (name: string, photo: string) => {
        const file = validFile();
        product(file, 0).photo = photo;
        return write(name, JSON.stringify(file));
      };
      expect(loadJsonCatalog(withPhoto("ok.json", "pics/beans.jpg")).product("p1")?.photo).toBe(join(dir, "pics", "beans.jpg"));
      const cases: [string, string][] = [
        ["pics/nope.png", 'cannot read "pics/nope.png" (ENOENT)'],
        ["pics/empty.png", '"pics/empty.png" is empty'],
        ["pics/huge.webp", "expected a picture of at most 10 MB (Telegram's limit), got 11.0 MB"],
        ["pics/folder.png", '"pics/folder.png" is not a file'],
      ];
      for (const [photo, reason] of cases) {
        const path = withPhoto("bad.json", photo);
        expect(() => loadJsonCatalog(path)).toThrow(`${path}: products[0].photo: ${reason}`);
      }
    });

    it("names the file and the path when the JSON is not a valid catalog", () => {
      const file = validFile();
      product(file, 1).price = -490;
      const path = write("catalog.json", JSON.stringify(file));
      expect(() => loadJsonCatalog(path)).toThrow(`${path}: products[1].price: expected a positive number`);
    });

    it("reads a file saved with a byte order mark", () => {
      const path = write("bom.json", `\uFEFF${JSON.stringify(validFile())}`);
      expect(loadJsonCatalog(path).product("p2")?.title).toBe("Сенча");
    });
  });
});

describe("search", () => {
  const search = (query: string) => ids(sample.search(query, everything));

  it("finds by the start of a word, ignoring case", () => {
    expect(search("эфиоп")[0]).toBe("eth-yirgacheffe");
    expect(search("HARIO")).toEqual(["hario-v60"]);
    expect(search("опия")).toEqual([]);
  });

  it("ranks title matches above description-only matches", () => {
    expect(search("эфиоп")).toEqual(["eth-yirgacheffe", "dark-chocolate"]);
    expect(search("эспрессо")).toEqual(["espresso-utro", "brazil-santos", "hand-grinder"]);
  });

  it("keeps catalog order among equal matches", () => {
    expect(search("колумбия")).toEqual(["colombia-supremo", "colombia-decaf"]);
    expect(search("улун")).toEqual(["tieguanyin", "da-hong-pao", "gaiwan"]);
  });

  it("reads ё as е, both ways", () => {
    expect(search("ежик")).toEqual(["ezhik"]);
    expect(search("ЁЖИК")).toEqual(["ezhik"]);
    const catalog = catalogFromJson({
      categories: [{ id: "c", title: "Игрушки" }],
      products: [{ id: "h", categoryId: "c", title: "ЁЖИК", description: "", price: 100, currency: "RUB" }],
    });
    expect(ids(catalog.search("ежик", everything))).toEqual(["h"]);
  });

  it("keeps й apart from и", () => {
    expect(search("чай").length).toBeGreaterThan(0);
    expect(search("чаи")).toEqual([]);
  });

  it("ignores Latin diacritics", () => {
    expect(search("cafe")).toEqual(["caramel-syrup"]);
    expect(search("CAFÉ")).toEqual(["caramel-syrup"]);
  });

  it("needs every word of the query to match", () => {
    expect(search("колумбия кофеин")).toEqual(["colombia-decaf"]);
    expect(search("колумбия кения")).toEqual([]);
  });

  it("gives an empty page for a blank query", () => {
    expect(sample.search("", everything)).toEqual({ items: [], offset: 0, limit: 100, hasMore: false });
    expect(sample.search("  \n\t ", everything).items).toEqual([]);
  });

  it("reads only the first 200 characters of a query", () => {
    const query = `эфиоп${" ".repeat(195)}несуществующее`;
    expect(search(query)).toEqual(["eth-yirgacheffe", "dark-chocolate"]);
  });

  it("pages its results", () => {
    const page = sample.search("250", { offset: 1, limit: 2 });
    expect(page).toMatchObject({ offset: 1, limit: 2, hasMore: true });
    expect(ids(page)).toEqual(search("250").slice(1, 3));
  });
});

describe("paging", () => {
  it("walks a category page by page", () => {
    const first = sample.products("coffee", { offset: 0, limit: 3 });
    expect(ids(first)).toEqual(["eth-yirgacheffe", "kenya-aa", "colombia-supremo"]);
    expect(first).toMatchObject({ offset: 0, limit: 3, hasMore: true });
    const last = sample.products("coffee", { offset: 6, limit: 3 });
    expect(ids(last)).toEqual(["colombia-decaf", "panama-geisha"]);
    expect(last.hasMore).toBe(false);
  });

  it("says there is no more when a page ends exactly at the last product", () => {
    expect(sample.products("coffee", { offset: 5, limit: 3 }).hasMore).toBe(false);
    expect(sample.products("coffee", { offset: 4, limit: 3 }).hasMore).toBe(true);
  });

  it("gives an empty page past the end and for an unknown category", () => {
    expect(sample.products("coffee", { offset: 8, limit: 3 })).toEqual({ items: [], offset: 8, limit: 3, hasMore: false });
    expect(sample.products("cocoa", { offset: 0, limit: 3 }).items).toEqual([]);
  });

  it("clamps a limit to 1–100 and a negative offset to 0", () => {
    expect(sample.products("coffee", { offset: -4, limit: 0 })).toMatchObject({ offset: 0, limit: 1 });
    expect(sample.products("coffee", { offset: 0, limit: 1000 }).limit).toBe(100);
  });
});

describe("availability", () => {
  it("is always ok when stock is not tracked", () => {
    expect(availability({}, 99)).toBe("ok");
  });

  it("is out of stock at 0, whatever is wanted", () => {
    expect(availability({ stock: 0 }, 1)).toBe("out_of_stock");
  });

  it("is ok up to the stock and limited above it", () => {
    expect(availability({ stock: 3 }, 3)).toBe("ok");
    expect(availability({ stock: 3 }, 4)).toEqual({ limitedTo: 3 });
  });
});

describe("describe", () => {
  const products = sample.categories().flatMap((category) => sample.products(category.id, everything).items);
  const full = sample.describe(1_000_000);

  it("lists every product with its price and stock when the budget allows", () => {
    for (const p of products) expect(full).toContain(`${p.title} — ${p.price} RUB`);
    expect(full).toContain("Светлая обжарка.");
    expect(full).toContain("Панама Гейша, 100 г — 2490 RUB (out of stock)");
    expect(full).toContain("(3 left)");
  });

  it.each([5000, 2500, 2000, 1500, 1000, 600, 200, 60, 10, 0])("stays within %i characters", (budget) => {
    expect(sample.describe(budget).length).toBeLessThanOrEqual(budget);
  });

  it("shortens descriptions before it drops a product or a price", () => {
    const text = sample.describe(Math.floor(full.length * 0.7));
    for (const p of products) expect(text).toContain(`${p.title} — ${p.price} RUB`);
    expect(text).toContain("…");
  });

  it("drops descriptions, not products, when titles and prices just fit", () => {
    const titlesOnly = full
      .split("\n")
      .map((line) => (line.startsWith("- ") ? line.split(": ")[0] : line))
      .join("\n");
    expect(sample.describe(titlesOnly.length)).toBe(titlesOnly);
  });

  it("says how many products it left out when even titles do not fit", () => {
    const text = sample.describe(300);
    expect(text).toContain("Эфиопия Иргачеффе, 250 г — 890 RUB");
    expect(text).toMatch(/… and \d+ more products$/);
    const shown = text.split("\n").filter((line) => line.startsWith("- ")).length;
    expect(text.endsWith(`… and ${products.length - shown} more products`)).toBe(true);
  });
});
