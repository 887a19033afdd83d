/* features.c - node features from the element table, min–max normalisation, bond types.
 * Sources of every property: pg_features.h and tools/gen_element_table.py. */
#include "phonograph/pg_features.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "graph/element_table.h"
#include "phonograph/pg_element.h"

static const char *const kind_names[PG_FEAT_N_KINDS] = {
    "Z",          "pauling_en",    "mass_amu",      "ionic_radius_ang", "covalent_radius_ang",
    "ionization_ev", "valence",    "group",         "period",
};

static const char *const kind_sources[PG_FEAT_N_KINDS] = {
    "atomic number",
    "Pauling electronegativity (pymatgen 2022.11.7)",
    "atomic mass (phonopy 2.17)",
    "Shannon 1976 ionic radius",
    "covalent radius (Cordero 2008)",
    "first ionisation energy (NIST ASD via pymatgen 2022.11.7)",
    "valence electrons",
    "IUPAC group",
    "period",
};

const char *pg_features_kind_name(pg_feat_kind_t kind)
{
    return (kind >= 0 && kind < PG_FEAT_N_KINDS) ? kind_names[kind] : "?";
}

pg_status_t pg_features_kind_from_name(const char *name, pg_feat_kind_t *kind)
{
    for (int k = 0; k < PG_FEAT_N_KINDS; k++)
        if (strcasecmp(name, kind_names[k]) == 0) {
            *kind = (pg_feat_kind_t)k;
            return PG_OK;
        }
    return PG_ERR(PG_ERR_INPUT,
                  "unknown node feature \"%s\" (expected one of Z, pauling_en, mass_amu, "
                  "ionic_radius_ang, covalent_radius_ang, ionization_ev, valence, group, period)",
                  name);
}

const char *pg_features_ionic_radius_source(int z)
{
    return (z >= 1 && z <= PG_FEATURES_MAX_Z) ? pg_element_props[z].ionic_source : "";
}

pg_status_t pg_features_property(pg_feat_kind_t kind, int z, double *value)
{
    PG_REQUIRE(z >= 1 && z <= PG_FEATURES_MAX_Z, PG_ERR_INPUT,
               "element Z=%d (%s) is outside the node-feature table (H..Bi, Z = 1..%d)", z,
               pg_element_symbol(z), PG_FEATURES_MAX_Z);
    PG_REQUIRE(kind >= 0 && kind < PG_FEAT_N_KINDS, PG_ERR_INPUT, "bad feature kind %d",
               (int)kind);
    const pg_element_props_t *p = &pg_element_props[z];
    double v = NAN;
    switch (kind) {
    case PG_FEAT_Z: v = z; break;
    case PG_FEAT_PAULING: v = p->pauling; break;
    case PG_FEAT_MASS: v = pg_element_mass(z); break;
    case PG_FEAT_IONIC_RADIUS: v = p->ionic_radius_ang; break;
    case PG_FEAT_COVALENT_RADIUS: v = p->covalent_radius_ang; break;
    case PG_FEAT_IONIZATION_ENERGY: v = p->ionization_ev; break;
    case PG_FEAT_VALENCE: v = p->valence; break;
    case PG_FEAT_GROUP: v = p->group; break;
    case PG_FEAT_PERIOD: v = p->period; break;
    default: break;
    }
    PG_REQUIRE(isfinite(v), PG_ERR_INPUT, "no %s for %s in the node-feature table",
               kind_sources[kind], p->symbol);
    *value = v;
    return PG_OK;
}

int pg_features_default_kinds(pg_feat_kind_t *kinds)
{
    kinds[0] = PG_FEAT_Z;
    kinds[1] = PG_FEAT_PAULING;
    kinds[2] = PG_FEAT_MASS;
    kinds[3] = PG_FEAT_IONIC_RADIUS;
    return 4;
}

pg_status_t pg_features_setup(pg_features_t *f, const int *z, int64_t n_z,
                              const pg_feat_kind_t *kinds, int n_kind, int one_hot)
{
    memset(f, 0, sizeof *f);
    PG_REQUIRE(n_kind >= 0 && n_kind <= PG_FEAT_N_KINDS, PG_ERR_INPUT,
               "%d node-feature kinds given, at most %d", n_kind, PG_FEAT_N_KINDS);
    PG_REQUIRE(n_kind > 0 || one_hot, PG_ERR_INPUT,
               "no node features selected (need at least one property or one-hot)");
    PG_REQUIRE(n_z > 0, PG_ERR_INPUT, "no species to set up node features for");
    for (int64_t a = 0; a < n_z; a++) {
        PG_REQUIRE(z[a] >= 1 && z[a] <= PG_FEATURES_MAX_Z, PG_ERR_INPUT,
                   "element Z=%d (%s) is outside the node-feature table (H..Bi)", z[a],
                   pg_element_symbol(z[a]));
        if (pg_features_species(f, z[a]) >= 0) continue;
        PG_REQUIRE(f->n_species < PG_FEATURES_MAX_SPECIES, PG_ERR_INPUT,
                   "more than %d species in one dataset", PG_FEATURES_MAX_SPECIES);
        int k = f->n_species++; /* insertion keeps z sorted */
        while (k > 0 && f->z[k - 1] > z[a]) {
            f->z[k] = f->z[k - 1];
            k--;
        }
        f->z[k] = z[a];
    }
    for (int c = 0; c < n_kind; c++) {
        PG_REQUIRE(kinds[c] >= 0 && kinds[c] < PG_FEAT_N_KINDS, PG_ERR_INPUT,
                   "bad node-feature kind %d", (int)kinds[c]);
        for (int d = 0; d < c; d++)
            PG_REQUIRE(kinds[d] != kinds[c], PG_ERR_INPUT, "node feature %s given twice",
                       kind_names[kinds[c]]);
        f->kind[c] = kinds[c];
        f->vmin[c] = INFINITY;
        f->vmax[c] = -INFINITY;
        for (int s = 0; s < f->n_species; s++) {
            double v;
            PG_CHECK(pg_features_property(kinds[c], f->z[s], &v));
            f->vmin[c] = fmin(f->vmin[c], v);
            f->vmax[c] = fmax(f->vmax[c], v);
        }
    }
    f->n_kind = n_kind;
    f->one_hot = one_hot ? 1 : 0;
    f->n_feat = n_kind + (f->one_hot ? f->n_species : 0);
    return PG_OK;
}

int pg_features_species(const pg_features_t *f, int z)
{
    for (int s = 0; s < f->n_species; s++)
        if (f->z[s] == z) return s;
    return -1;
}

pg_status_t pg_features_row(const pg_features_t *f, int z, double *row)
{
    int s = pg_features_species(f, z);
    PG_REQUIRE(s >= 0, PG_ERR_INPUT, "element %s (Z=%d) is not one of the dataset's species",
               pg_element_symbol(z), z);
    for (int c = 0; c < f->n_kind; c++) {
        double v;
        PG_CHECK(pg_features_property(f->kind[c], z, &v));
        double span = f->vmax[c] - f->vmin[c];
        row[c] = span > 0.0 ? (v - f->vmin[c]) / span : 0.0;
    }
    if (f->one_hot)
        for (int t = 0; t < f->n_species; t++) row[f->n_kind + t] = (t == s) ? 1.0 : 0.0;
    return PG_OK;
}

int pg_features_n_bond_types(const pg_features_t *f)
{
    return f->n_species * (f->n_species + 1) / 2;
}

int pg_features_bond_type(const pg_features_t *f, int species_a, int species_b)
{
    int a = species_a < species_b ? species_a : species_b;
    int b = species_a < species_b ? species_b : species_a;
    /* rows of the upper triangle: row a starts after a*n - a(a-1)/2 pairs */
    return a * f->n_species - a * (a - 1) / 2 + (b - a);
}

void pg_features_bond_name(const pg_features_t *f, int bond, char *buf, int size)
{
    for (int a = 0; a < f->n_species; a++)
        for (int b = a; b < f->n_species; b++)
            if (pg_features_bond_type(f, a, b) == bond) {
                snprintf(buf, (size_t)size, "%s-%s", pg_element_symbol(f->z[a]),
                         pg_element_symbol(f->z[b]));
                return;
            }
    snprintf(buf, (size_t)size, "?");
}
