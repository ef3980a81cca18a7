/* elements.h - periodic table: symbol, atomic number Z, standard atomic mass (amu). */
#ifndef PCM_ELEMENTS_H
#define PCM_ELEMENTS_H

/* Atomic number of an element symbol ("Ge" -> 32), 0 if unknown. */
int element_z(const char *symbol);
/* Standard atomic mass (amu) of an element symbol, 0.0 if unknown. */
double element_mass(const char *symbol);
/* Symbol of atomic number z (1..86), NULL if out of range. */
const char *element_symbol(int z);

#endif
