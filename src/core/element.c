/* element.c - periodic table. Masses: the default table of phonopy 2.17
 * (standard atomic weights, IUPAC 2005-era values), so that phonopy force constants
 * give phonopy's frequencies without a mass override. */
#include "phonograph/pg_element.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *symbol;
    double mass_amu;
} element_row_t;

/* index z-1 */
static const element_row_t k_elements[PG_ELEMENT_MAX_Z] = {
    {"H", 1.00794},
    {"He", 4.002602},
    {"Li", 6.941},
    {"Be", 9.012182},
    {"B", 10.811},
    {"C", 12.0107},
    {"N", 14.0067},
    {"O", 15.9994},
    {"F", 18.9984032},
    {"Ne", 20.1797},
    {"Na", 22.98976928},
    {"Mg", 24.305},
    {"Al", 26.9815386},
    {"Si", 28.0855},
    {"P", 30.973762},
    {"S", 32.065},
    {"Cl", 35.453},
    {"Ar", 39.948},
    {"K", 39.0983},
    {"Ca", 40.078},
    {"Sc", 44.955912},
    {"Ti", 47.867},
    {"V", 50.9415},
    {"Cr", 51.9961},
    {"Mn", 54.938045},
    {"Fe", 55.845},
    {"Co", 58.933195},
    {"Ni", 58.6934},
    {"Cu", 63.546},
    {"Zn", 65.38},
    {"Ga", 69.723},
    {"Ge", 72.64},
    {"As", 74.9216},
    {"Se", 78.96},
    {"Br", 79.904},
    {"Kr", 83.798},
    {"Rb", 85.4678},
    {"Sr", 87.62},
    {"Y", 88.90585},
    {"Zr", 91.224},
    {"Nb", 92.90638},
    {"Mo", 95.96},
    {"Tc", 98},
    {"Ru", 101.07},
    {"Rh", 102.9055},
    {"Pd", 106.42},
    {"Ag", 107.8682},
    {"Cd", 112.411},
    {"In", 114.818},
    {"Sn", 118.71},
    {"Sb", 121.76},
    {"Te", 127.6},
    {"I", 126.90447},
    {"Xe", 131.293},
    {"Cs", 132.9054519},
    {"Ba", 137.327},
    {"La", 138.90547},
    {"Ce", 140.116},
    {"Pr", 140.90765},
    {"Nd", 144.242},
    {"Pm", 145},
    {"Sm", 150.36},
    {"Eu", 151.964},
    {"Gd", 157.25},
    {"Tb", 158.92535},
    {"Dy", 162.5},
    {"Ho", 164.93032},
    {"Er", 167.259},
    {"Tm", 168.93421},
    {"Yb", 173.054},
    {"Lu", 174.9668},
    {"Hf", 178.49},
    {"Ta", 180.94788},
    {"W", 183.84},
    {"Re", 186.207},
    {"Os", 190.23},
    {"Ir", 192.217},
    {"Pt", 195.084},
    {"Au", 196.966569},
    {"Hg", 200.59},
    {"Tl", 204.3833},
    {"Pb", 207.2},
    {"Bi", 208.9804},
    {"Po", 0.0},
    {"At", 0.0},
    {"Rn", 0.0},
    {"Fr", 0.0},
    {"Ra", 0.0},
    {"Ac", 227},
    {"Th", 232.03806},
    {"Pa", 231.03588},
    {"U", 238.02891},
    {"Np", 237},
    {"Pu", 0.0},
    {"Am", 0.0},
    {"Cm", 0.0},
    {"Bk", 0.0},
    {"Cf", 0.0},
    {"Es", 0.0},
    {"Fm", 0.0},
    {"Md", 0.0},
    {"No", 0.0},
    {"Lr", 0.0},
};

pg_status_t pg_element_from_symbol(const char *symbol, int *z)
{
    PG_REQUIRE(symbol && symbol[0], PG_ERR_INPUT, "empty element symbol");
    for (int k = 0; k < PG_ELEMENT_MAX_Z; k++) {
        if (strcasecmp(k_elements[k].symbol, symbol) == 0) {
            *z = k + 1;
            return PG_OK;
        }
    }
    return PG_ERR(PG_ERR_INPUT, "unknown element symbol '%s'", symbol);
}

const char *pg_element_symbol(int z)
{
    if (z < 1 || z > PG_ELEMENT_MAX_Z) return "X";
    return k_elements[z - 1].symbol;
}

double pg_element_mass(int z)
{
    if (z < 1 || z > PG_ELEMENT_MAX_Z) return 0.0;
    return k_elements[z - 1].mass_amu;
}
